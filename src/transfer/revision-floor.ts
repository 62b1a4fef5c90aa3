import type { Counters } from "../registry/ports/transfer-store.js";

/**
 * How far an import or a restore moves the counters past the largest revision and id the source
 * (or the replaced database) is known to have issued. The source may have gone on writing after
 * the export or backup was taken, and its Watch clients may hold those later revisions and ids; a
 * billion leaves room for that (at 100 writes a second, four months of them) while keeping
 * revisions far below 2^53. Documented in docs/operations.md.
 */
export const COUNTER_GAP = 1_000_000_000;

/**
 * The counters after a restore or import: past everything any of the given databases issued, by
 * COUNTER_GAP, with every older revision marked compacted, so a Watch client that resumes from a
 * revision it saw before gets OUT_OF_RANGE and lists again instead of silently missing changes or
 * mixing two histories.
 */
export function countersPast(...seen: Counters[]): Counters {
  const revision = Math.max(0, ...seen.map((c) => c.revision)) + COUNTER_GAP;
  const lastId = Math.max(0, ...seen.map((c) => c.lastId)) + COUNTER_GAP;
  return { revision, lastId, compactedRevision: revision };
}
