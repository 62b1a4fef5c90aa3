/**
 * Domain errors. They carry machine-readable facts, never transport codes: each class names its
 * `kind`, and the one error table (src/api/shared/error-table.ts) maps a kind to the gRPC code, the HTTP
 * status and the Kubeflow `code` text, for every edge.
 */

/** What went wrong, as the error table knows it: one row per kind. */
export type ErrorKind =
  | "invalid_argument"
  | "not_found"
  | "already_exists"
  | "etag_mismatch"
  | "aborted"
  | "failed_precondition"
  | "out_of_range"
  | "resource_exhausted"
  | "unauthenticated"
  | "permission_denied"
  | "deadline_exceeded"
  | "unavailable"
  | "shutting_down"
  | "schema_too_new";

/** One invalid request field. */
export interface FieldViolation {
  field: string;
  description: string;
}

export abstract class RegistryError extends Error {
  /** The row of the error table that answers for this error. */
  abstract readonly kind: ErrorKind;
  /** UPPER_SNAKE_CASE reason that clients may branch on (google.rpc.ErrorInfo.reason). */
  abstract readonly reason: string;
}

/** An error whose reason, and ErrorInfo metadata where it has any, the thrower gives. */
export abstract class ReasonedError extends RegistryError {
  constructor(
    message: string,
    readonly reason: string,
    readonly metadata: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class InvalidArgumentError extends RegistryError {
  override name = "InvalidArgumentError";
  readonly kind = "invalid_argument";
  readonly reason: string;
  constructor(
    message: string,
    readonly violations: FieldViolation[] = [],
    reason = "INVALID_ARGUMENT",
    /** ErrorInfo metadata, such as the `limit` and `value` a request went over. */
    readonly metadata: Record<string, string> = {},
  ) {
    super(message);
    this.reason = reason;
  }

  /** One error for a single bad field, with the field path in the message. */
  static field(field: string, description: string, reason?: string, metadata?: Record<string, string>): InvalidArgumentError {
    return new InvalidArgumentError(`${field}: ${description}`, [{ field, description }], reason, metadata);
  }
}

export class NotFoundError extends RegistryError {
  override name = "NotFoundError";
  readonly kind = "not_found";
  readonly reason: string;
  /** ErrorInfo metadata, such as where a resource went (`linked_name` of an artifact linked since). */
  readonly metadata: Record<string, string>;
  constructor(
    readonly resource: string,
    options: { message?: string; reason?: string; metadata?: Record<string, string> } = {},
  ) {
    super(options.message ?? `${resource} not found`);
    this.reason = options.reason ?? "NOT_FOUND";
    this.metadata = options.metadata ?? {};
  }
}

export class AlreadyExistsError extends RegistryError {
  override name = "AlreadyExistsError";
  readonly kind = "already_exists";
  readonly reason: string;
  constructor(message: string, reason = "ALREADY_EXISTS") {
    super(message);
    this.reason = reason;
  }
}

export class EtagMismatchError extends RegistryError {
  override name = "EtagMismatchError";
  readonly kind = "etag_mismatch";
  readonly reason = "ETAG_MISMATCH";
  constructor(
    resource: string,
    readonly currentEtag: string,
  ) {
    super(`etag mismatch for ${resource}: it was changed since it was read`);
  }
}

export class FailedPreconditionError extends ReasonedError {
  override name = "FailedPreconditionError";
  readonly kind = "failed_precondition";
  constructor(message: string, reason: string) {
    super(message, reason);
  }
}

export class ResourceExhaustedError extends ReasonedError {
  override name = "ResourceExhaustedError";
  readonly kind = "resource_exhausted";
  /** ErrorInfo metadata: at least `limit` (the limit's name) and its `value` where known. */
  constructor(message: string, reason = "LIMIT_EXCEEDED", metadata: Record<string, string> = {}) {
    super(message, reason, metadata);
  }
}

/** The database could not be reached or kept failing transiently: the call may be retried. */
export class UnavailableError extends RegistryError {
  override name = "UnavailableError";
  readonly kind = "unavailable";
  readonly reason = "DATABASE_UNAVAILABLE";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A revision outside what the server can serve: compacted away by retention (reason
 * REVISION_COMPACTED) or not reached yet (REVISION_IN_FUTURE). `metadata` tells the client where
 * it can resume (ErrorInfo metadata), as etcd's ErrCompacted / ErrFutureRev do.
 */
export class OutOfRangeError extends ReasonedError {
  override name = "OutOfRangeError";
  readonly kind = "out_of_range";
}

/** The server is shutting down: open streams end with this so clients reconnect (elsewhere) at once. */
export class ShuttingDownError extends RegistryError {
  override name = "ShuttingDownError";
  readonly kind = "shutting_down";
  readonly reason = "SHUTTING_DOWN";
  constructor() {
    super("the server is shutting down; reconnect and resume from the last revision seen");
  }
}

/**
 * A compare-and-set lost: the resource is not in the state the caller expected (an alias moved
 * since it was read). ABORTED at the edge, like an etag mismatch; `metadata` says what is current.
 */
export class AbortedError extends ReasonedError {
  override name = "AbortedError";
  readonly kind = "aborted";
}

/**
 * The caller could not be identified: no credentials where they are required, or credentials
 * that do not verify. `reason`: CREDENTIALS_REQUIRED, INVALID_TOKEN, TOKEN_EXPIRED or
 * INVALID_CLIENT_CERTIFICATE. UNAUTHENTICATED at the edge.
 */
export class UnauthenticatedError extends ReasonedError {
  override name = "UnauthenticatedError";
  readonly kind = "unauthenticated";
  constructor(message: string, reason = "CREDENTIALS_REQUIRED") {
    super(message, reason);
  }
}

/**
 * The caller is known but lacks a permission: `permission` names what is missing (also in the
 * message and the ErrorInfo metadata). PERMISSION_DENIED at the edge. Reason GRANTS_CHANGED: an
 * open stream ended because the caller's grants were narrowed (watching again shows what they
 * allow now).
 */
export class PermissionDeniedError extends RegistryError {
  override name = "PermissionDeniedError";
  readonly kind = "permission_denied";
  constructor(
    message: string,
    readonly permission: string,
    readonly reason = "PERMISSION_DENIED",
  ) {
    super(message);
  }
}

/**
 * A call ran past its deadline (the client's, or the server's default for calls that set none).
 * DEADLINE_EXCEEDED at the edge; like any deadline, a write may still have committed.
 */
export class DeadlineExceededError extends RegistryError {
  override name = "DeadlineExceededError";
  readonly kind = "deadline_exceeded";
  readonly reason = "DEADLINE_EXCEEDED";
  constructor(
    message: string,
    readonly metadata: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The database was migrated by a newer release than this server: old code could corrupt it, so
 * the server refuses to serve it. Startup and `migrate` refuse it before any call (docs/upgrade.md);
 * should a call meet it, the answer is UNAVAILABLE (another replica, or this one rolled forward,
 * can serve the call), never a client's precondition.
 */
export class SchemaTooNewError extends RegistryError {
  override name = "SchemaTooNewError";
  readonly kind = "schema_too_new";
  readonly reason = "SCHEMA_TOO_NEW";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
