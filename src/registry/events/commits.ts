import type { CommitListener, RetentionBound } from "../ports/store.js";
import { type Registry, unitOf } from "../shared/registry.js";

/**
 * The change stream's own use cases: hearing commits (this replica's, and other replicas' through
 * the store's notifications) and compacting the event log. Like the hub's reads (watch-reads.ts)
 * they run outside any call's bounds.
 */

/** Calls `listener` with the events of each commit made through this process; returns the undo. */
export function onCommit(registry: Registry, listener: CommitListener): () => void {
  return unitOf(registry).store.onCommit(listener);
}

/**
 * Follows other replicas' commits (Postgres LISTEN): `onCommit` hears each (with its revision when
 * known), `onLost` the loss of the connection. Null where the store has no notifications.
 */
export function listenForCommits(
  registry: Registry,
  onCommitted: (revision: number | undefined) => void,
  onLost: (error: Error) => void,
): Promise<(() => Promise<void>) | null> {
  return unitOf(registry).store.listenForCommits(onCommitted, onLost);
}

/** The newest revision retention allows to remove now. */
export async function compactionCutoff(registry: Registry, bound: RetentionBound): Promise<number> {
  return unitOf(registry).readOutsideCall((r) => r.compactionCutoff(bound));
}

/**
 * Removes the events through at most `batchSize` revisions past the compaction point, toward
 * `cutoff` but never past the cursor of a webhook that holds events (enabled, or paused by
 * failures: it has not received what follows), in one short transaction; returns the new
 * compaction point, how many went, and how far this run may go (`bound`: below `cutoff` while
 * a webhook holds events back).
 */
export async function compactStep(
  registry: Registry,
  cutoff: number,
  batchSize: number,
): Promise<{ compacted: number; deleted: number; bound: number }> {
  return unitOf(registry).writeOutsideCall(async (w) => {
    const [held] = await w.webhookDeliveries.heldCursorsBelow(cutoff);
    const bound = held ? held.revision : cutoff;
    const compacted = await w.compactedRevision();
    if (compacted >= bound) return { compacted, deleted: 0, bound };
    const through = Math.min(bound, compacted + batchSize);
    return { compacted: through, deleted: await w.compactEvents(through), bound };
  });
}
