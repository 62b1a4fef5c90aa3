import type { Interceptor } from "@connectrpc/connect";
import type { Logger } from "../logger.js";
import { createErrorInterceptor, createLoggingInterceptor } from "./errors.js";

/**
 * The interceptors every RPC runs through, in order, on every port: the Connect server and the
 * native gRPC fast path share this list so that they behave the same.
 */
export function createServerInterceptors(logger: Logger): Interceptor[] {
  return [createLoggingInterceptor(logger), createErrorInterceptor(logger)];
}
