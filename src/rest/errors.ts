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

/** Kubeflow's error body (`Error` in the OpenAPI document), exactly: clients compare whole bodies. */
export interface RestErrorBody {
  /** The status text of the HTTP status (Go's http.StatusText, as Kubeflow's server writes it). */
  code: string;
  message: string;
}

/** The response header carrying the machine-readable reason (the gRPC ErrorInfo reason) of an error. */
export const REASON_HEADER = "x-error-reason";

/** A failure of the HTTP exchange itself (bad JSON, unknown field or route, wrong method). */
export class RestError extends Error {
  override name = "RestError";
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string,
    readonly headers: Record<string, string> = {},
    /** The body's code when it is not the status text (a missing required field: 422 with "Bad Request"). */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Go's http.StatusText of the statuses the gateway answers with. */
const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export const statusText = (status: number): string => STATUS_TEXT[status] ?? String(status);

/**
 * Kubeflow's answer to a required field left out or empty (its generated server's RequiredError):
 * 422, yet the body's code says "Bad Request", as Kubeflow's server writes it.
 */
export const requiredField = (field: string) =>
  new RestError(422, `required field '${field}' is zero value.`, "REQUIRED_FIELD", {}, statusText(400));

/**
 * The one place where errors become HTTP statuses for the REST API, per the OpenAPI document:
 * 400 bad input, 401/403, 404, 409 conflicts (a name or external id in use, an etag or alias
 * compare-and-set lost, a precondition such as an archived parent), 422 a required field
 * missing, 503 when the database is unavailable or the server is stopping, 500 otherwise with
 * the cause logged, never sent. The body is Kubeflow's `{code, message}`; the reason travels in
 * the x-error-reason header.
 */
export function toRestError(
  error: unknown,
  logger: Logger,
  route: string,
): { status: number; reason: string; headers: Record<string, string>; body: RestErrorBody } {
  const out = (status: number, message: string, reason: string, headers: Record<string, string> = {}, code = statusText(status)) => ({
    status,
    reason,
    headers: { ...headers, [REASON_HEADER]: reason },
    body: { code, message },
  });
  if (error instanceof RestError) return out(error.status, error.message, error.reason, error.headers, error.code);
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
  if (error instanceof ResourceExhaustedError) return 429;
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
