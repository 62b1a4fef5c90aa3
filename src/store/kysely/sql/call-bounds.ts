import { type CallBounds, StoreError } from "../../../registry/ports/store.js";

/** Whether the call has ended: its signal aborted, or its deadline passed. */
export function callEnded(bounds: CallBounds | undefined): boolean {
  if (!bounds) return false;
  return bounds.signal?.aborted === true || (bounds.deadline !== undefined && Date.now() >= bounds.deadline);
}

/** The error of work dropped or stopped because its call ended; the cause is the call's abort reason. */
export function callEndedError(bounds: CallBounds | undefined, what: string): StoreError {
  const reason: unknown = bounds?.signal?.aborted ? bounds.signal.reason : undefined;
  return new StoreError("cancelled", `${what} not run: its call ended (cancelled, or past its deadline)`, undefined, { cause: reason });
}

/** Throws callEndedError when the call has ended: no transaction begins after that. */
export function refuseEnded(bounds: CallBounds | undefined, what: string): void {
  if (callEnded(bounds)) throw callEndedError(bounds, what);
}
