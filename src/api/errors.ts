import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
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
import type { Logger } from "../logger.js";

const DOMAIN = "modelregistry.v1";

/** The one place where domain errors become RPC status codes (DESIGN.md §6). */
export function toConnectError(error: unknown, logger: Logger, procedure: string): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof RegistryError) {
    const info = create(ErrorInfoSchema, { reason: error.reason, domain: DOMAIN });
    const details: NonNullable<ConstructorParameters<typeof ConnectError>[3]> = [{ desc: ErrorInfoSchema, value: info }];
    if (error instanceof InvalidArgumentError && error.violations.length > 0) {
      details.push({ desc: BadRequestSchema, value: create(BadRequestSchema, { fieldViolations: error.violations }) });
    }
    if (error instanceof InvalidArgumentError) Object.assign(info.metadata, error.metadata);
    if (error instanceof EtagMismatchError) info.metadata.current_etag = error.currentEtag;
    if (error instanceof NotFoundError) Object.assign(info.metadata, error.metadata);
    if (error instanceof AbortedError) Object.assign(info.metadata, error.metadata);
    if (error instanceof OutOfRangeError) Object.assign(info.metadata, error.metadata);
    if (error instanceof PermissionDeniedError) info.metadata.permission = error.permission;
    if (error instanceof ResourceExhaustedError) Object.assign(info.metadata, error.metadata);
    if (error instanceof DeadlineExceededError) Object.assign(info.metadata, error.metadata);
    if (error instanceof UnavailableError) logger.warn("database unavailable", { procedure, err: error.cause });
    return new ConnectError(error.message, codeOf(error), undefined, details, error);
  }
  if (error instanceof StoreError && error.kind === "schema_too_new") {
    return new ConnectError(error.message, Code.FailedPrecondition, undefined, undefined, error);
  }
  logger.error("internal error", { procedure, err: error });
  return new ConnectError("internal error", Code.Internal);
}

function codeOf(error: RegistryError): Code {
  if (error instanceof InvalidArgumentError) return Code.InvalidArgument;
  if (error instanceof NotFoundError) return Code.NotFound;
  if (error instanceof AlreadyExistsError) return Code.AlreadyExists;
  if (error instanceof EtagMismatchError) return Code.Aborted;
  if (error instanceof AbortedError) return Code.Aborted;
  if (error instanceof FailedPreconditionError) return Code.FailedPrecondition;
  if (error instanceof ResourceExhaustedError) return Code.ResourceExhausted;
  if (error instanceof UnavailableError) return Code.Unavailable;
  if (error instanceof OutOfRangeError) return Code.OutOfRange;
  if (error instanceof ShuttingDownError) return Code.Unavailable;
  if (error instanceof UnauthenticatedError) return Code.Unauthenticated;
  if (error instanceof PermissionDeniedError) return Code.PermissionDenied;
  if (error instanceof DeadlineExceededError) return Code.DeadlineExceeded;
  return Code.Internal;
}

/** Maps errors of unary calls and of streams (while iterating the response) at the edge. */
export function createErrorInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    const procedure = req.method.name;
    try {
      const res = await next(req);
      if (!res.stream) return res;
      return { ...res, message: mapStream(res.message, logger, procedure) };
    } catch (error) {
      throw toConnectError(error, logger, procedure);
    }
  };
}

async function* mapStream<T>(source: AsyncIterable<T>, logger: Logger, procedure: string): AsyncIterable<T> {
  try {
    yield* source;
  } catch (error) {
    throw toConnectError(error, logger, procedure);
  }
}

/** Logs each call with its outcome and duration (debug level for successes). */
export function createLoggingInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    try {
      const res = await next(req);
      logger.debug("call", { procedure: req.method.name, ms: Math.round(performance.now() - started) });
      return res;
    } catch (error) {
      const code = error instanceof ConnectError ? Code[error.code] : "unknown";
      logger.info("call failed", { procedure: req.method.name, code, ms: Math.round(performance.now() - started) });
      throw error;
    }
  };
}
