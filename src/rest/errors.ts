import type { Logger } from "../logger.js";
import {
  AbortedError,
  AlreadyExistsError,
  DeadlineExceededError,
  EtagMismatchError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  OutOfRangeError,
  PermissionDeniedError,
  RegistryError,
  ResourceExhaustedError,
  ShuttingDownError,
  UnauthenticatedError,
  UnavailableError,
} from "../registry/errors.js";
import { StoreError } from "../store/store.js";

/** Kubeflow's error body (`Error` in the OpenAPI document), plus our machine-readable reason. */
export interface RestErrorBody {
  /** The HTTP status code as a string, as Kubeflow's server sends it. */
  code: string;
  message: string;
  /** UPPER_SNAKE_CASE reason, the same as google.rpc.ErrorInfo.reason over gRPC. */
  reason: string;
}

/** A failure of the HTTP exchange itself (bad JSON, unknown field or route, wrong method). */
export class RestError extends Error {
  override name = "RestError";
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The one place where errors become HTTP statuses for the REST API, per the OpenAPI document:
 * 400 bad input, 401/403, 404, 409 conflicts (a name or external id in use, an etag or alias
 * compare-and-set lost, a precondition such as an archived parent), 503 when the database is
 * unavailable or the server is stopping, 500 otherwise with the cause logged, never sent.
 */
export function toRestError(error: unknown, logger: Logger, route: string): { status: number; headers: Record<string, string>; body: RestErrorBody } {
  const out = (status: number, message: string, reason: string, headers: Record<string, string> = {}) => ({
    status,
    headers,
    body: { code: String(status), message, reason },
  });
  if (error instanceof RestError) return out(error.status, error.message, error.reason, error.headers);
  if (error instanceof RegistryError) {
    const status = statusOf(error);
    if (error instanceof UnavailableError) logger.warn("database unavailable", { route, err: error.cause });
    return out(status, error.message, error.reason, status === 503 ? { "retry-after": "1" } : {});
  }
  if (error instanceof StoreError && error.kind === "unique_violation") {
    return out(409, "a resource with these unique fields already exists", "ALREADY_EXISTS");
  }
  if (error instanceof StoreError && error.kind === "schema_too_new") return out(503, error.message, "SCHEMA_TOO_NEW");
  logger.error("internal error", { route, err: error });
  return out(500, "internal error", "INTERNAL");
}

function statusOf(error: RegistryError): number {
  if (error instanceof InvalidArgumentError) return 400;
  if (error instanceof OutOfRangeError) return 400;
  if (error instanceof ResourceExhaustedError) return error.reason === "FILTER_TOO_COMPLEX" ? 400 : 429;
  if (error instanceof UnauthenticatedError) return 401;
  if (error instanceof PermissionDeniedError) return 403;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof AlreadyExistsError) return 409;
  if (error instanceof EtagMismatchError) return 409;
  if (error instanceof AbortedError) return 409;
  if (error instanceof FailedPreconditionError) return 409;
  if (error instanceof UnavailableError) return 503;
  if (error instanceof ShuttingDownError) return 503;
  if (error instanceof DeadlineExceededError) return 504;
  return 500;
}

/** A 400 for one bad request field. */
export function badField(field: string, description: string, reason = "INVALID_ARGUMENT"): InvalidArgumentError {
  return InvalidArgumentError.field(field, description, reason);
}
