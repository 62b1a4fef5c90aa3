import { OutOfRangeError } from "../core/errors.js";

/** OUT_OF_RANGE for a position whose following events retention removed, or a restore or import skipped. */
export function compacted(requested: number, compactedRevision: number): OutOfRangeError {
  return new OutOfRangeError(
    `revision ${requested} was compacted: events up to ${compactedRevision} are no longer served (removed by retention, or before a restore or import), ` +
      `the oldest available revision is ${compactedRevision + 1}; list again and watch from the list's revision`,
    "REVISION_COMPACTED",
    {
      requested_revision: String(requested),
      compacted_revision: String(compactedRevision),
      oldest_available_revision: String(compactedRevision + 1),
    },
  );
}

/** OUT_OF_RANGE for a revision the registry has not reached yet. */
export function inFuture(requested: number, current: number, field = "start_revision"): OutOfRangeError {
  return new OutOfRangeError(`${field} ${requested} is newer than the current revision ${current}`, "REVISION_IN_FUTURE", {
    requested_revision: String(requested),
    current_revision: String(current),
  });
}
