import { setMaxListeners } from "node:events";

/** How many shards a shutdown signal is spread over (see createSignalShards). */
export const SIGNAL_SHARDS = 32;

/**
 * Child signals of one parent, handed out in turn: each aborts, with the parent's reason, when the
 * parent does. Node's AbortSignal keeps its listeners in a list that addEventListener and
 * removeEventListener walk end to end, and every call links its own signal to the server's
 * shutdown signal; with thousands of Watch streams open, each new call (and each stream that
 * opens or closes) would walk thousands of listeners. Spread over shards, a walk is 1/count as
 * long, and the parent holds only `count` listeners.
 */
export function createSignalShards(parent: AbortSignal, count = SIGNAL_SHARDS): () => AbortSignal {
  // The parent holds one listener per shard of every user (server, grpc port, Watch): not a leak.
  setMaxListeners(0, parent);
  const shards = Array.from({ length: count }, () => {
    const controller = new AbortController();
    // Every call on a shard listens to it: many listeners are the normal case, not a leak.
    setMaxListeners(0, controller.signal);
    if (parent.aborted) controller.abort(parent.reason);
    else parent.addEventListener("abort", () => controller.abort(parent.reason), { once: true });
    return controller.signal;
  });
  let next = 0;
  return () => {
    next = (next + 1) % shards.length;
    return shards[next]!;
  };
}
