import type { Interceptor } from "@connectrpc/connect";
import type { Logger } from "../../logger.js";
import { createErrorInterceptor, createLoggingInterceptor } from "./errors.js";

/**
 * The interceptors every RPC runs through, in order, on every port: the Connect server and the
 * native gRPC fast path share this list so that they behave the same. `inner` run inside the
 * error mapping (app.ts passes authentication/authorisation, then limits), so their domain
 * errors leave with the right codes.
 */
export function createServerInterceptors(logger: Logger, inner: Interceptor[] = []): Interceptor[] {
  return [createLoggingInterceptor(logger), createErrorInterceptor(logger), ...inner];
}
