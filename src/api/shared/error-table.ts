import { Code } from "@connectrpc/connect";
import type { Logger } from "../../logger.js";
import { type ErrorKind, RegistryError } from "../../registry/core/errors.js";

/** How every edge answers one kind of error: gRPC and Connect, and the Kubeflow REST gateway. */
export interface ErrorRow {
  /** The gRPC (and Connect) status code. */
  code: Code;
  /** The REST gateway's HTTP status; its body's `code` is the status text (Go's http.StatusText). */
  status: number;
  /**
   * The ErrorInfo reason (REST: the x-error-reason header) when the error brings none of its own;
   * errors of most kinds name a more precise one (MODEL_EXISTS, MODEL_ARCHIVED, …).
   */
  reason: string;
}

/** Errors no one classified: a bug, a driver error, an unclassified unique violation. */
export type ErrorKindOrInternal = ErrorKind | "internal";

/**
 * The one error table (DESIGN.md §6, docs/api.md "Errors"): each domain error kind has exactly one
 * answer on every edge. Conflicts of state (a name in use, a lost compare-and-set, a precondition)
 * are 409 over REST, as Kubeflow's OpenAPI document declares them; OUT_OF_RANGE is a 400 there.
 * SCHEMA_TOO_NEW is UNAVAILABLE/503: the server cannot serve a schema a newer release migrated,
 * another replica (or this one, rolled forward) can, and the client can fix nothing.
 * INTERNAL answers "internal error" and logs its cause.
 */
export const ERROR_TABLE: Readonly<Record<ErrorKindOrInternal, ErrorRow>> = {
  invalid_argument: { code: Code.InvalidArgument, status: 400, reason: "INVALID_ARGUMENT" },
  not_found: { code: Code.NotFound, status: 404, reason: "NOT_FOUND" },
  already_exists: { code: Code.AlreadyExists, status: 409, reason: "ALREADY_EXISTS" },
  etag_mismatch: { code: Code.Aborted, status: 409, reason: "ETAG_MISMATCH" },
  aborted: { code: Code.Aborted, status: 409, reason: "ABORTED" },
  failed_precondition: { code: Code.FailedPrecondition, status: 409, reason: "FAILED_PRECONDITION" },
  out_of_range: { code: Code.OutOfRange, status: 400, reason: "OUT_OF_RANGE" },
  resource_exhausted: { code: Code.ResourceExhausted, status: 429, reason: "LIMIT_EXCEEDED" },
  unauthenticated: { code: Code.Unauthenticated, status: 401, reason: "CREDENTIALS_REQUIRED" },
  permission_denied: { code: Code.PermissionDenied, status: 403, reason: "PERMISSION_DENIED" },
  deadline_exceeded: { code: Code.DeadlineExceeded, status: 504, reason: "DEADLINE_EXCEEDED" },
  unavailable: { code: Code.Unavailable, status: 503, reason: "DATABASE_UNAVAILABLE" },
  shutting_down: { code: Code.Unavailable, status: 503, reason: "SHUTTING_DOWN" },
  schema_too_new: { code: Code.Unavailable, status: 503, reason: "SCHEMA_TOO_NEW" },
  internal: { code: Code.Internal, status: 500, reason: "INTERNAL" },
};

/** What a client is told of an INTERNAL error; the cause goes to the log. */
export const INTERNAL_MESSAGE = "internal error";

/** Go's http.StatusText of the statuses the REST gateway answers with: the body's `code`. */
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

/** The Kubeflow `code` text of an HTTP status. */
export const statusText = (status: number): string => STATUS_TEXT[status] ?? String(status);

/** An error's answer: its row, and the reason it carries (the row's for INTERNAL). */
export interface ErrorAnswer {
  kind: ErrorKindOrInternal;
  row: ErrorRow;
  reason: string;
  /** What the client is told: the domain error's message, or "internal error". */
  message: string;
}

/** Looks an error up in the table: a domain error by its kind, anything else as INTERNAL. */
export function answerFor(error: unknown): ErrorAnswer {
  if (error instanceof RegistryError) {
    return { kind: error.kind, row: ERROR_TABLE[error.kind], reason: error.reason, message: error.message };
  }
  return { kind: "internal", row: ERROR_TABLE.internal, reason: ERROR_TABLE.internal.reason, message: INTERNAL_MESSAGE };
}

/**
 * Logs what the client is not told, the same way on every edge: an INTERNAL error with its cause
 * (level error), the database's unavailability with the driver's error (level warn).
 */
export function logAnswer(answer: ErrorAnswer, error: unknown, logger: Logger, where: Record<string, string>): void {
  if (answer.kind === "internal") logger.error("internal error", { ...where, err: error });
  if (answer.kind === "unavailable") logger.warn("database unavailable", { ...where, err: (error as Error).cause });
}
