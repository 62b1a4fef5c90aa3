import { FailedPreconditionError, NotFoundError } from "../core/errors.js";
import { deleteRecordsOf } from "../artifacts/records.js";
import { applyMask, type MaskSpec, OWNED_MASK } from "../core/field-mask.js";
import type { Update } from "../core/inputs.js";
import type { Experiment, CallContext, ListRequest, Page } from "../core/types.js";
import { experimentName } from "../core/resource-names.js";
import { EXPERIMENT_LIST } from "../shared/list-specs.js";
import { checkEtag, recordDeleted, freshStamps, saveUpdate, saveNew } from "../shared/changes.js";
import { prepareList, toPage } from "../shared/list-query.js";
import { versionName } from "../core/names.js";
import type { Registry } from "../shared/registry.js";
import { LIMITS, Violations } from "../core/validate.js";
import type { StoreReader } from "../ports/store.js";
import { unitOf } from "../shared/registry.js";
import type { Draft, OwnedFields } from "../core/values.js";

/** Experiments: groups of training runs. Create, read, list, update with a mask, delete with their runs. */

export type ExperimentInput = Draft<OwnedFields>;

const MASK: MaskSpec<Experiment> = OWNED_MASK;

function validate(e: ExperimentInput, prefix = "experiment"): void {
  const v = new Violations();
  v.name(`${prefix}.display_name`, e.displayName);
  v.text(`${prefix}.description`, e.description, LIMITS.description);
  v.text(`${prefix}.owner`, e.owner, LIMITS.name, false);
  v.labels(`${prefix}.labels`, e.labels);
  v.properties(`${prefix}.custom_properties`, e.customProperties);
  v.throwIfAny();
}

export async function findExperiment(r: StoreReader, ref: { id: number } | { displayName: string }): Promise<Experiment> {
  const found = "id" in ref ? await r.lineage.getExperiment(ref.id) : await r.lineage.getExperimentByDisplayName(ref.displayName);
  if (!found) throw new NotFoundError("id" in ref ? experimentName(ref.id) : `experiment "${ref.displayName}"`);
  return found;
}

export async function createExperiment(registry: Registry, input: ExperimentInput, ctx: CallContext): Promise<Experiment> {
  validate(input);
  return unitOf(registry).write(async (w) => {
    const experiment: Experiment = {
      ...input,
      state: input.state ?? "LIVE",
      ...freshStamps(registry, w),
    };
    return saveNew(registry, w, { type: "Experiment", value: experiment }, (value) => w.lineage.insertExperiment(value), ctx);
  });
}

export async function getExperiment(registry: Registry, ref: { id: number } | { displayName: string }): Promise<Experiment> {
  return unitOf(registry).read((r) => findExperiment(r, ref));
}

export async function listExperiments(registry: Registry, request: ListRequest): Promise<Page<Experiment>> {
  const prepared = prepareList(request, EXPERIMENT_LIST, unitOf(registry).store.tokenKey(), "experiments");
  return unitOf(registry).read(async (r) => toPage(prepared, await r.lineage.listExperiments(prepared.query), await r.revision(), (e) => e));
}

export async function updateExperiment(registry: Registry, id: number, update: Update<ExperimentInput>, ctx: CallContext): Promise<Experiment> {
  return unitOf(registry).write(async (w) => {
    const current = await findExperiment(w, { id });
    checkEtag(experimentName(id), current, update.etag);
    const next = applyMask(current, update.input, update.mask, MASK);
    validate(next);
    return saveUpdate(registry, w, { type: "Experiment", value: current }, next, (value) => w.lineage.updateExperiment(value), ctx);
  });
}

/**
 * Deletes an experiment with its runs (their params, metric history and Kubeflow artifacts too),
 * each with a DELETED event. Refused while a model version names one of its runs as its source,
 * unless force: lineage is what auditors ask for.
 */
export async function deleteExperiment(
  registry: Registry,
  id: number,
  options: { etag: string; force: boolean },
  ctx: CallContext,
): Promise<{ experiment: Experiment; runs: number }> {
  return unitOf(registry).write(async (w) => {
    const experiment = await findExperiment(w, { id });
    checkEtag(experimentName(id), experiment, options.etag);
    const runs = await w.lineage.runsOfExperiment(id);
    if (!options.force)
      await assertRunsUnused(
        w,
        runs.map((r) => r.id),
        experimentName(id),
        "EXPERIMENT_IN_USE",
      );
    const now = unitOf(registry).now();
    await deleteRecordsOf(registry, w, "run", runs, now, ctx);
    for (const run of runs) {
      await w.lineage.deleteRunRows(run.id);
      recordDeleted(registry, w, { type: "ExperimentRun", value: run }, now, ctx);
    }
    await w.lineage.deleteExperimentRows(id);
    recordDeleted(registry, w, { type: "Experiment", value: experiment }, now, ctx);
    return { experiment, runs: runs.length };
  });
}

/** Refuses while model versions name any of the runs as their source. */
export async function assertRunsUnused(r: StoreReader, runIds: number[], what: string, reason: string): Promise<void> {
  const versions = await r.lineage.versionsFromRuns(runIds, 10);
  if (versions.length === 0) return;
  const names = await Promise.all(versions.map((id) => r.getVersion(id)));
  const shown = names.flatMap((v) => (v ? [versionName(v.modelId, v.id)] : []));
  throw new FailedPreconditionError(
    `${what} is the source of ${shown.join(", ")}${versions.length >= 10 ? " and maybe more" : ""}; pass force to delete it anyway`,
    reason,
  );
}
