import { createContextKey } from "@connectrpc/connect";

/**
 * A server stream's direct writer, set by a transport that can take a response message outside
 * the handler's generator (the grpc-js fast path): it writes the message at once and returns
 * false when the stream is full (the message was still written; the caller should wait for the
 * generator path, which awaits the drain). Watch uses it for live events while a stream is
 * idle, so a broadcast to thousands of streams skips every per-stream generator layer.
 * Messages written this way bypass the interceptors' stream wrappers, which only act on errors
 * and on the stream's end.
 */
export type DirectWriter = (message: unknown) => boolean;

export const DIRECT_WRITER_KEY = createContextKey<DirectWriter | undefined>(undefined, { description: "direct writer of a server stream" });
