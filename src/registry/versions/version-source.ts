import type { StoreReader } from "../ports/store.js";
import { NotFoundError } from "../core/errors.js";
import type { DatasetRef, VersionSource } from "../core/types.js";
import { runName } from "../core/resource-names.js";
import { LIMITS, Violations } from "../core/validate.js";

/** At most this many dataset references per version or run. */
export const MAX_DATASETS = 64;

/** Validates dataset references (name or uri required; uri absolute when given). */
export function checkDatasets(v: Violations, field: string, datasets: DatasetRef[]): void {
  if (datasets.length > MAX_DATASETS) v.add(field, `at most ${MAX_DATASETS} datasets`);
  datasets.forEach((d, i) => {
    const at = `${field}[${i}]`;
    if (d.name === "" && d.uri === "") v.add(at, "name or uri is required");
    v.text(`${at}.name`, d.name, LIMITS.name, false);
    v.uri(`${at}.uri`, d.uri, false);
    v.text(`${at}.digest`, d.digest, LIMITS.name, false);
    v.text(`${at}.source`, d.source, LIMITS.name, false);
    v.text(`${at}.context`, d.context, LIMITS.name, false);
  });
}

/**
 * Checks a version's lineage when it is written: field limits, and that the named run exists
 * (a version must not claim a run that was never recorded). Reading a version whose run was
 * later deleted with force still works: the check runs only when the source changes.
 */
export async function checkVersionSource(r: StoreReader, source: VersionSource | null | undefined, field: string): Promise<void> {
  if (!source) return;
  const v = new Violations();
  v.text(`${field}.pipeline_run_id`, source.pipelineRunId, LIMITS.name, false);
  v.text(`${field}.code_commit`, source.codeCommit, LIMITS.uri, false);
  checkDatasets(v, `${field}.datasets`, source.datasets);
  v.throwIfAny();
  if (source.runId !== null && source.experimentId !== null) {
    const run = await r.lineage.getRun(source.runId);
    if (!run || run.experimentId !== source.experimentId) throw new NotFoundError(runName(source.experimentId, source.runId));
  }
}
