import { AsyncLocalStorage } from "node:async_hooks";
import type { CallBounds } from "../ports/store.js";

const scope = new AsyncLocalStorage<CallBounds>();

/**
 * Runs one call's work with its bounds (its signal and deadline) in scope: every store read and
 * write the registry makes on its behalf then carries them (Registry.read/write), so the
 * database stops when the call ends (store.ts CallBounds).
 *
 * Why a scope and not a parameter: the bounds belong to the call, not to any use case, and the
 * registry has some sixty use cases (and the REST gateway more) between the edge and its two
 * doors to the store. A parameter on each would be forgotten on the next one and silently drop
 * the deadline; here the edges set it in two places (the RPC limits interceptor, the REST
 * deadline) and the registry reads it in one. Work that outlives its call on purpose (the watch
 * hub, the compactor) goes to the store directly and is not bounded by any call.
 */
export function withCallBounds<T>(bounds: CallBounds, fn: () => T): T {
  return scope.run(bounds, fn);
}

/** The bounds of the call being served, if any. */
export function currentCallBounds(): CallBounds | undefined {
  return scope.getStore();
}
