import { withCallBounds } from "../../registry/shared/call-scope.js";
import { DeadlineExceededError } from "../../registry/core/errors.js";

/**
 * The server's request deadline for a REST request (the same `request-timeout` as unary RPCs,
 * src/api/shared/limits.ts; REST has no header for a client's own deadline). When it passes, the
 * request's signal is aborted with a DeadlineExceededError, so the registry and the database stop
 * where they can (the signal and the deadline are the call's bounds, registry/call-scope.ts),
 * and the request fails with that error at once even if its handler is stuck in a wait that does
 * not listen to the signal; the handler then finishes in the background and its result is
 * dropped. As with any deadline, a write that already reached the database may still commit.
 * timeoutMs 0 means none.
 */
export async function withDeadline<T>(work: () => Promise<T>, timeoutMs: number, abort: AbortController): Promise<T> {
  // The same bounds as an RPC's (src/api/shared/limits.ts): the database stops when the request ends.
  if (timeoutMs <= 0) return withCallBounds({ signal: abort.signal }, work);
  const bounded = () => withCallBounds({ signal: abort.signal, deadline: Date.now() + timeoutMs }, work);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineExceededError(`the request took longer than the server's request timeout of ${timeoutMs} ms (request-timeout)`, {
        limit: "request-timeout",
        value: String(timeoutMs),
      });
      abort.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([bounded(), expired]);
  } finally {
    clearTimeout(timer);
  }
}
