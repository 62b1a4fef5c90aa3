import type { StoreWriter } from "../ports/store.js";
import { InvalidArgumentError, NotFoundError } from "../core/errors.js";
import { logMetrics, updateRun } from "../lineage/runs.js";
import { applyMask, type MaskSpec } from "../core/field-mask.js";
import { inTransaction, unitOf } from "../shared/registry.js";
import type { Update } from "../core/inputs.js";
import { type ExtrasPatch, writeExtras } from "./extras.js";
import type { Extras, KubeflowRecord, RecordKind, RecordOwner, RecordResource } from "../core/record-types.js";
import type { ExperimentRun, CallContext, JsonObject, JsonValue, MetadataValue } from "../core/types.js";
import type { Registry } from "../shared/registry.js";
import { LIMITS, Violations } from "../core/validate.js";
import { recordEvent } from "../artifacts/records.js";

/**
 * Kubeflow's artifacts other than model artifacts (doc, dataset, metric, parameter), kept by
 * the REST gateway (their upsert under a model version or an experiment run: use-cases.ts; model
 * artifacts: use-cases.ts). One logged under a run is attributed to it (filterQuery's
 * experimentRunId and experimentId).
 * A metric or parameter upserted under a run is also logged into the run (metric history,
 * params) in the same transaction, so gRPC readers and Watch see it as an ExperimentRun update.
 */

export interface RecordInput {
  displayName: string;
  description: string;
  uri: string;
  state: string | undefined;
  fields: JsonObject;
  customProperties: Record<string, MetadataValue>;
}

const RECORD_MASK: MaskSpec<KubeflowRecord> = {
  fields: {
    display_name: "displayName",
    description: "description",
    uri: "uri",
    state: "state",
    fields: "fields",
    custom_properties: "customProperties",
  },
  maps: ["fields", "custom_properties"],
};

function validateRecord(r: Pick<KubeflowRecord, "displayName" | "description" | "uri" | "customProperties" | "fields">): void {
  const v = new Violations();
  v.text("name", r.displayName, LIMITS.name, false);
  v.text("description", r.description, LIMITS.description);
  // Records exist for Kubeflow's clients only: their uri is Kubeflow's free string (use-cases.ts).
  v.text("uri", r.uri, LIMITS.uri, false);
  v.properties("customProperties", r.customProperties);
  for (const [key, value] of Object.entries(r.fields)) {
    if (typeof value === "string") v.text(key, value, LIMITS.propertyValue);
  }
  v.throwIfAny();
}

/** The parent of a record, checked to exist, with the owner it gives the record (and the run, for a run). */
async function checkParent(w: StoreWriter, parent: KubeflowRecord["parent"]): Promise<{ owner: RecordOwner | null; run?: ExperimentRun }> {
  if (!parent) return { owner: null };
  switch (parent.type) {
    case "version": {
      const version = await w.getVersion(parent.id);
      if (!version) throw new NotFoundError(`model version ${parent.id}`);
      return { owner: { type: "version", modelId: version.modelId, versionId: version.id } };
    }
    case "run": {
      const run = await w.lineage.getRun(parent.id);
      if (!run) throw new NotFoundError(`experiment run ${parent.id}`);
      return { owner: { type: "run", experimentId: run.experimentId, runId: run.id }, run };
    }
    case "inference-service": {
      const service = await w.deployments.getService(parent.id);
      if (!service) throw new NotFoundError(`inference service ${parent.id}`);
      return { owner: { type: "inference-service", environmentId: service.environmentId, serviceId: service.id, modelId: service.modelId } };
    }
  }
}

/** Inserts a record (and its extras) inside a write transaction. */
export async function insertRecord(
  registry: Registry,
  w: StoreWriter,
  kind: RecordKind,
  parent: KubeflowRecord["parent"],
  input: RecordInput,
  extras: ExtrasPatch,
  ctx: CallContext,
): Promise<{ record: KubeflowRecord; extras: Extras | undefined }> {
  const now = unitOf(registry).now();
  const draft = { ...input, state: input.state ?? "UNKNOWN", kind, parent, id: w.allocateId(), createTime: now, updateTime: now };
  validateRecord(draft);
  const { owner, run } = await checkParent(w, parent);
  const record: KubeflowRecord = { ...draft, owner, revision: w.allocateRevision() };
  await w.rest.insertRecord(record);
  const written = await writeExtras(w, kind, record.id, extras);
  // Logged under a run: attributed to it (filterQuery's experimentRunId and experimentId).
  if (run) await w.rest.putArtifactRun(record.id, { experimentId: run.experimentId, runId: run.id });
  recordEvent(registry, w, "CREATED", record, written?.externalId ?? null, null, ctx);
  if (run) await mirrorIntoRun(registry, w, run, record, ctx);
  return { record, extras: written };
}

export async function createRecord(
  registry: Registry,
  kind: RecordKind,
  parent: KubeflowRecord["parent"],
  input: RecordInput,
  extras: ExtrasPatch,
  ctx: CallContext,
): Promise<{ record: KubeflowRecord; extras: Extras | undefined }> {
  return unitOf(registry).write((w) => insertRecord(registry, w, kind, parent, input, extras, ctx));
}

/** Applies a masked update to a record inside a write transaction. */
export async function changeRecord(
  registry: Registry,
  w: StoreWriter,
  current: KubeflowRecord,
  update: Update<RecordInput>,
  extras: ExtrasPatch,
  ctx: CallContext,
): Promise<{ record: KubeflowRecord; extras: Extras | undefined }> {
  const next = applyMask(current, update.input, update.mask, RECORD_MASK);
  validateRecord(next);
  const before = (await w.rest.getExtras([current.id])).get(current.id);
  const record = { ...next, updateTime: unitOf(registry).now(), revision: w.allocateRevision() };
  await w.rest.updateRecord(record);
  const written = await writeExtras(w, record.kind, record.id, extras);
  const previous: RecordResource = { ...current, externalId: before?.externalId ?? null };
  recordEvent(registry, w, "UPDATED", record, written?.externalId ?? null, previous, ctx);
  const run = record.parent?.type === "run" ? await w.lineage.getRun(record.parent.id) : undefined;
  if (run) {
    // Its run stays its attribution, whatever experimentRunId the patch gave.
    await w.rest.putArtifactRun(record.id, { experimentId: run.experimentId, runId: run.id });
    await mirrorIntoRun(registry, w, run, record, ctx);
  }
  return { record, extras: written };
}

export async function updateRecord(
  registry: Registry,
  id: number,
  update: Update<RecordInput>,
  extras: ExtrasPatch,
  ctx: CallContext,
): Promise<{ record: KubeflowRecord; extras: Extras | undefined }> {
  return unitOf(registry).write(async (w) => {
    const current = await w.rest.getRecord(id);
    if (!current || current.kind === "serve-model") throw new NotFoundError(`artifact ${id}`);
    return changeRecord(registry, w, current, update, extras, ctx);
  });
}

/** A metric's value is logged into the run's history; a parameter becomes a run param. */
async function mirrorIntoRun(registry: Registry, w: StoreWriter, run: ExperimentRun, record: KubeflowRecord, ctx: CallContext): Promise<void> {
  const key = record.displayName;
  if (key === "") return;
  const scoped = inTransaction(registry, w);
  const ids = { experimentId: run.experimentId, runId: run.id };
  if (record.kind === "metric" && typeof record.fields.value === "number") {
    const step = typeof record.fields.step === "number" ? record.fields.step : 0;
    const at =
      typeof record.fields.timestamp === "string" && /^\d+$/.test(record.fields.timestamp) ? new Date(Number(record.fields.timestamp)) : undefined;
    await logMetrics(scoped, ids, [{ key, value: record.fields.value, step, time: at }], ctx);
  } else if (record.kind === "parameter" && record.fields.value !== undefined) {
    const value = parameterValue(record.fields.value, record.fields.parameterType);
    const { metrics: _m, ...input } = run;
    await updateRun(
      scoped,
      ids,
      {
        input: { ...input, startTime: run.startTime, endTime: run.endTime ?? undefined, metrics: {}, params: { ...run.params, [key]: value } },
        mask: ["params"],
        etag: "",
      },
      ctx,
    );
  }
}

/** A Kubeflow parameter value (a string) as a typed run param. */
function parameterValue(value: JsonValue, type: JsonValue | undefined): MetadataValue {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  switch (type) {
    case "number": {
      const n = Number(text);
      if (text.trim() === "" || !Number.isFinite(n)) throw InvalidArgumentError.field("value", "is not a number");
      return /^-?\d+$/.test(text.trim()) ? { type: "int", value: BigInt(text.trim()) } : { type: "double", value: n };
    }
    case "boolean":
      if (text !== "true" && text !== "false") throw InvalidArgumentError.field("value", "must be true or false");
      return { type: "bool", value: text === "true" };
    case "object": {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw InvalidArgumentError.field("value", "is not a JSON object");
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw InvalidArgumentError.field("value", "is not a JSON object");
      return { type: "struct", value: parsed as JsonObject };
    }
    default:
      return { type: "string", value: text };
  }
}
