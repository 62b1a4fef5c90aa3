import type { StoreReader } from "../ports/store.js";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../core/errors.js";
import { deleteRecordsOf } from "../artifacts/records.js";
import { assertRunsUnused, findExperiment } from "./experiments.js";
import { applyMask, type MaskSpec } from "../core/field-mask.js";
import type { Update } from "../core/inputs.js";
import type { DatasetRef, ExperimentRun, MetricPoint, RunStatus, CallContext, ListRequest, Page, Properties } from "../core/types.js";
import { experimentName, runName } from "../core/resource-names.js";
import { METRIC_LIST, RUN_LIST } from "../shared/list-specs.js";
import { checkEtag, recordDeleted, saveUpdate } from "../shared/changes.js";
import { prepareList, toPage } from "../shared/list-query.js";
import type { Registry } from "../shared/registry.js";
import { LIMITS, Violations } from "../core/validate.js";
import { checkDatasets } from "../versions/version-source.js";
import { unitOf } from "../shared/registry.js";

/** Experiment runs: params, metrics with step history, datasets. */

export interface RunInput {
  displayName: string;
  description: string;
  author: string;
  status: RunStatus | undefined;
  startTime: Date | undefined;
  endTime: Date | undefined;
  params: Properties;
  /** Initial metric values, logged at step 0 on create. */
  metrics: Record<string, number>;
  datasets: DatasetRef[];
  customProperties: Properties;
}

/** At most this many metric values per LogExperimentRunMetrics call. */
export const MAX_METRICS_PER_CALL = 1000;

const MASK: MaskSpec<ExperimentRun> = {
  fields: {
    display_name: "displayName",
    description: "description",
    author: "author",
    status: "status",
    start_time: "startTime",
    end_time: "endTime",
    params: "params",
    datasets: "datasets",
    custom_properties: "customProperties",
  },
  maps: ["params", "custom_properties"],
};

function validate(run: Omit<RunInput, "metrics" | "startTime" | "endTime"> & { startTime?: Date | null; endTime?: Date | null }): void {
  const v = new Violations();
  v.text("experiment_run.display_name", run.displayName, LIMITS.name, false);
  v.text("experiment_run.description", run.description, LIMITS.description);
  v.text("experiment_run.author", run.author, LIMITS.name, false);
  v.properties("experiment_run.params", run.params);
  v.properties("experiment_run.custom_properties", run.customProperties);
  checkDatasets(v, "experiment_run.datasets", run.datasets);
  if (run.startTime && run.endTime && run.endTime < run.startTime) v.add("experiment_run.end_time", "must not be before start_time");
  v.throwIfAny();
}

function validateMetrics(points: MetricPoint[], field: string): void {
  const v = new Violations();
  if (points.length > MAX_METRICS_PER_CALL) v.add(field, `at most ${MAX_METRICS_PER_CALL} values per call`);
  points.forEach((p, i) => {
    if (p.key === "" || p.key.length > LIMITS.propertyKey || /[\s\u0000-\u001f\u007f]/.test(p.key)) {
      v.add(`${field}[${i}].key`, `metric keys are 1 to ${LIMITS.propertyKey} characters without white space`);
    }
    if (!Number.isFinite(p.value)) v.add(`${field}[${i}].value`, "must be finite");
    if (!Number.isSafeInteger(p.step)) v.add(`${field}[${i}].step`, "is out of range");
  });
  v.throwIfAny();
}

export async function findRun(r: StoreReader, ids: { experimentId: number; runId: number }): Promise<ExperimentRun> {
  const run = await r.lineage.getRun(ids.runId);
  if (!run || run.experimentId !== ids.experimentId) throw new NotFoundError(runName(ids.experimentId, ids.runId));
  return run;
}

export async function createRun(registry: Registry, experimentId: number, input: RunInput, ctx: CallContext): Promise<ExperimentRun> {
  validate(input);
  const initial = Object.entries(input.metrics).map(([key, value]) => ({ key, value, step: 0, time: new Date(0) }));
  validateMetrics(initial, "experiment_run.metrics");
  return unitOf(registry).write(async (w) => {
    const experiment = await findExperiment(w, { id: experimentId });
    if (experiment.state === "ARCHIVED") {
      throw new FailedPreconditionError(`${experimentName(experimentId)} is archived; restore it before adding runs`, "EXPERIMENT_ARCHIVED");
    }
    const now = unitOf(registry).now();
    const { metrics: _m, ...rest } = input;
    const run: ExperimentRun = {
      ...rest,
      id: w.allocateId(),
      experimentId,
      status: input.status ?? "RUNNING",
      startTime: input.startTime ?? now,
      endTime: input.endTime ?? null,
      metrics: { ...input.metrics },
      createTime: now,
      updateTime: now,
      revision: w.allocateRevision(),
    };
    await w.lineage.insertRun(run);
    await w.lineage.appendMetrics(
      run.id,
      initial.map((p) => ({ ...p, time: now, id: w.allocateId() })),
    );
    unitOf(registry).record(w, "CREATED", { type: "ExperimentRun", value: run }, null, ctx);
    return run;
  });
}

export async function getRun(registry: Registry, ids: { experimentId: number; runId: number }): Promise<ExperimentRun> {
  return unitOf(registry).read((r) => findRun(r, ids));
}

export async function listRuns(registry: Registry, experimentId: number | undefined, request: ListRequest): Promise<Page<ExperimentRun>> {
  const parent = experimentId === undefined ? "experiments/-" : experimentName(experimentId);
  const prepared = prepareList(request, RUN_LIST, unitOf(registry).store.tokenKey(), parent);
  return unitOf(registry).read(async (r) => {
    if (experimentId !== undefined) await findExperiment(r, { id: experimentId });
    return toPage(prepared, await r.lineage.listRuns({ experimentId }, prepared.query), await r.revision(), (run) => run);
  });
}

export async function updateRun(
  registry: Registry,
  ids: { experimentId: number; runId: number },
  update: Update<RunInput>,
  ctx: CallContext,
): Promise<ExperimentRun> {
  if (update.mask?.some((p) => p === "metrics" || p.startsWith("metrics."))) {
    throw InvalidArgumentError.field("update_mask", "metrics are logged with LogExperimentRunMetrics", "INVALID_UPDATE_MASK");
  }
  return unitOf(registry).write(async (w) => {
    const current = await findRun(w, ids);
    checkEtag(runName(ids.experimentId, ids.runId), current, update.etag);
    const next = applyMask(current, update.input, update.mask, MASK);
    validate(next);
    return saveUpdate(registry, w, { type: "ExperimentRun", value: current }, next, (value) => w.lineage.updateRun(value), ctx);
  });
}

/** Deletes a run with its params, metric history and Kubeflow artifacts; refused while a version names it, unless force. */
export async function deleteRun(
  registry: Registry,
  ids: { experimentId: number; runId: number },
  options: { etag: string; force: boolean },
  ctx: CallContext,
): Promise<ExperimentRun> {
  return unitOf(registry).write(async (w) => {
    const run = await findRun(w, ids);
    checkEtag(runName(ids.experimentId, ids.runId), run, options.etag);
    if (!options.force) await assertRunsUnused(w, [run.id], runName(ids.experimentId, ids.runId), "RUN_IN_USE");
    const now = unitOf(registry).now();
    await deleteRecordsOf(registry, w, "run", [run], now, ctx);
    await w.lineage.deleteRunRows(run.id);
    recordDeleted(registry, w, { type: "ExperimentRun", value: run }, now, ctx);
    return run;
  });
}

/** Appends metric values; the run's latest values follow the highest step. One UPDATED event per call. */
export async function logMetrics(
  registry: Registry,
  ids: { experimentId: number; runId: number },
  points: Array<Omit<MetricPoint, "time"> & { time: Date | undefined }>,
  ctx: CallContext,
): Promise<ExperimentRun> {
  if (points.length === 0) throw InvalidArgumentError.field("metrics", "at least one value is required");
  return unitOf(registry).write(async (w) => {
    const current = await findRun(w, ids);
    const now = unitOf(registry).now();
    const stamped = points.map((p) => ({ ...p, time: p.time ?? now }));
    validateMetrics(stamped, "metrics");
    await w.lineage.appendMetrics(
      current.id,
      stamped.map((p) => ({ ...p, id: w.allocateId() })),
    );
    const fresh = await findRun(w, ids);
    const updated = { ...current, metrics: fresh.metrics, updateTime: now, revision: w.allocateRevision() };
    await w.lineage.updateRun(updated);
    unitOf(registry).record(w, "UPDATED", { type: "ExperimentRun", value: updated }, { type: "ExperimentRun", value: current }, ctx);
    return updated;
  });
}

export async function listMetricHistory(
  registry: Registry,
  ids: { experimentId: number; runId: number },
  request: ListRequest,
): Promise<Page<MetricPoint>> {
  // The natural order of a metric history is by step (then logging order).
  const ordered = { ...request, orderBy: request.orderBy.trim() === "" ? "step" : request.orderBy };
  const prepared = prepareList(ordered, METRIC_LIST, unitOf(registry).store.tokenKey(), `${runName(ids.experimentId, ids.runId)}/metrics`);
  return unitOf(registry).read(async (r) => {
    const run = await findRun(r, ids);
    return toPage(prepared, await r.lineage.listMetricHistory(run.id, prepared.query), await r.revision(), (p) => p);
  });
}
