import { answerFor, logAnswer, statusText } from "../../api/shared/error-table.js";
import type { Logger } from "../../logger.js";
import { InvalidArgumentError } from "../../registry/core/errors.js";

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

/**
 * Kubeflow's answer to a required field left out or empty (its generated server's RequiredError):
 * 422, yet the body's code says "Bad Request", as Kubeflow's server writes it.
 */
export const requiredField = (field: string) => new RestError(422, `required field '${field}' is zero value.`, "REQUIRED_FIELD", {}, statusText(400));

/**
 * Errors become the REST API's answers here: a failure of the HTTP exchange (RestError) with its
 * own status; anything else from the one error table (src/api/shared/error-table.ts), the same row the
 * gRPC edge answers from. The body is Kubeflow's `{code, message}`, `code` being the status text;
 * the reason travels in the x-error-reason header; a 503 says `retry-after`. INTERNAL is a 500
 * "internal error" with its cause logged, never sent.
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
  const answer = answerFor(error);
  logAnswer(answer, error, logger, { route });
  const { status } = answer.row;
  return out(status, answer.message, answer.reason, status === 503 ? { "retry-after": "1" } : {});
}

/** A 400 for one bad request field. */
export function badField(field: string, description: string, reason = "INVALID_ARGUMENT"): InvalidArgumentError {
  return InvalidArgumentError.field(field, description, reason);
}
