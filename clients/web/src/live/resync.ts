import type { Query, QueryClient } from "@tanstack/react-query";

/**
 * What a stream (re)start reloads. The stream delivers every change after `from`; a page read at a
 * revision at or past it (every List response carries the revision it was read at) missed nothing
 * and is kept, so a catalog page costs one call, not a second one when the stream comes up. Reads
 * without a revision (Get calls) are reloaded, and so is a read still in flight, when it arrives
 * at an older revision. GetCaller describes the caller, not the data: never reloaded here.
 */
export function createResync(client: QueryClient): (from: bigint) => void {
  let liveFrom: bigint | undefined;
  /** Queries that were in flight when the stream started: judged when their answer arrives. */
  const pending = new Set<string>();
  const describesCaller = (q: Query) => (q.queryKey[1] as { methodName?: string } | undefined)?.methodName === "GetCaller";
  const behind = (q: Query): boolean => {
    if (liveFrom === undefined || describesCaller(q)) return false;
    const revision = (q.state.data as { revision?: unknown } | undefined)?.revision;
    return typeof revision === "bigint" ? revision < liveFrom : true;
  };
  client.getQueryCache().subscribe((event) => {
    if (event.type !== "updated" || event.action.type !== "success" || !pending.delete(event.query.queryHash)) return;
    if (behind(event.query)) void client.invalidateQueries({ queryKey: event.query.queryKey, exact: true });
  });
  return (from) => {
    liveFrom = from;
    for (const q of client.getQueryCache().findAll({ type: "active" })) {
      if (q.state.fetchStatus === "fetching") pending.add(q.queryHash);
      else if (q.state.data !== undefined && behind(q)) void client.invalidateQueries({ queryKey: q.queryKey, exact: true });
    }
  };
}
