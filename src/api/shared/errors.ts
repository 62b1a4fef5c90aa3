import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../../gen/google/rpc/error_details_pb.js";
import type { Logger } from "../../logger.js";
import {
  AbortedError,
  DeadlineExceededError,
  EtagMismatchError,
  InvalidArgumentError,
  NotFoundError,
  OutOfRangeError,
  PermissionDeniedError,
  RegistryError,
  ResourceExhaustedError,
} from "../../registry/core/errors.js";
import { answerFor, logAnswer } from "./error-table.js";

const DOMAIN = "modelregistry.v1";

/**
 * Domain errors become RPC statuses here, from the one error table (src/api/shared/error-table.ts):
 * the row's code, an ErrorInfo with the reason and the error's metadata, field violations for
 * INVALID_ARGUMENT. Anything unclassified is INTERNAL "internal error", its cause logged.
 */
export function toConnectError(error: unknown, logger: Logger, procedure: string): ConnectError {
  if (error instanceof ConnectError) return error;
  const answer = answerFor(error);
  logAnswer(answer, error, logger, { procedure });
  if (!(error instanceof RegistryError)) return new ConnectError(answer.message, answer.row.code, undefined, undefined, error);
  const info = create(ErrorInfoSchema, { reason: answer.reason, domain: DOMAIN });
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
  return new ConnectError(answer.message, answer.row.code, undefined, details, error);
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
