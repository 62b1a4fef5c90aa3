import type * as grpc from "@grpc/grpc-js";
import { drainOf } from "../api/shared/drain-of.js";
import type { WatchSink } from "../watch/sink.js";

/**
 * The grpc-js port's sink (src/watch/sink.ts): `write` puts a message on the call at once (grpc-js
 * encodes a shared frame once, see encodeOnce), outside any generator; when call.write reports
 * the buffer full the message is still written, and ready() waits for the drain. Nothing goes
 * out once the call is cancelled or its signal aborted.
 */
export function callSink(
  call: grpc.ServerWritableStream<unknown, unknown>,
  signal: AbortSignal,
  write: (message: unknown) => boolean,
): WatchSink<unknown> {
  return {
    send: (message) => !signal.aborted && !call.cancelled && write(message),
    ready: () => drained(call, signal),
  };
}

/**
 * The response stream of a method that writes into the call's sink: it starts when the stream is
 * first read (after the interceptors returned, as a generator would), yields nothing, and ends or
 * throws when the method does, so the interceptors' stream wrappers see the end and the error.
 */
export async function* written(run: () => Promise<void>): AsyncGenerator<never> {
  await run();
  yield* [];
}

/** Resolves when the call's buffer drains, or when the call ends. */
export function drained(call: grpc.ServerWritableStream<unknown, unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted || call.cancelled) return Promise.resolve();
  return drainOf(call, signal);
}
