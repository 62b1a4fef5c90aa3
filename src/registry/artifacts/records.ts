import type { StoreReader, StoreWriter } from "../ports/store.js";
import { NotFoundError } from "../core/errors.js";
import { recordDeleted } from "../shared/changes.js";
import type { KubeflowRecord, RecordKind, RecordParentType, RecordResource } from "../core/record-types.js";
import type { Registry } from "../shared/registry.js";
import type { CallContext, Resource } from "../core/types.js";
import { unitOf } from "../shared/registry.js";

/**
 * Kubeflow's records (doc, dataset, metric and parameter artifacts, and serve models) as every
 * use case meets them: as resources of the change stream, and deleted with their parents.
 * Creating and changing them is the Kubeflow gateway's (kubeflow/records.ts).
 */

/** A record as a resource of the change stream: a ServeModel, or an Artifact of any other kind. */
function resourceOf(value: RecordResource): Resource {
  return value.kind === "serve-model" ? { type: "ServeModel", value } : { type: "Artifact", value };
}

/** Records as resources of the change stream, with their external ids (one read of the extras). */
export async function recordResources(r: StoreReader, records: readonly KubeflowRecord[]): Promise<Resource[]> {
  const extras = await r.rest.getExtras(records.map((record) => record.id));
  return records.map((record) => resourceOf({ ...record, externalId: extras.get(record.id)?.externalId ?? null }));
}

/** A record's event: CREATED, UPDATED (STATE_CHANGED when its state moved) or DELETED, with its external id. */
export function recordEvent(
  registry: Registry,
  w: StoreWriter,
  type: "CREATED" | "UPDATED" | "DELETED",
  record: KubeflowRecord,
  externalId: string | null,
  previous: RecordResource | null,
  ctx: CallContext,
): RecordResource {
  const value: RecordResource = { ...record, externalId };
  const eventType = type === "UPDATED" && previous && previous.state !== record.state ? "STATE_CHANGED" : type;
  unitOf(registry).record(w, eventType, resourceOf(value), previous ? resourceOf(previous) : null, ctx);
  return value;
}

/**
 * Deletes every record of the parents (with their custom properties and extras), each with a
 * DELETED event, inside the transaction that deletes the parents, before their rows go (the
 * records' names come from them). Returns how many went.
 */
export async function deleteRecordsOf(
  registry: Registry,
  w: StoreWriter,
  parentType: RecordParentType,
  parents: readonly { id: number }[],
  now: Date,
  ctx: CallContext,
): Promise<number> {
  const records = await w.rest.recordsOf(
    parentType,
    parents.map((parent) => parent.id),
  );
  if (records.length === 0) return 0;
  for (const resource of await recordResources(w, records)) recordDeleted(registry, w, resource, now, ctx);
  await w.rest.deleteRecords(records.map((r) => r.id));
  return records.length;
}

export async function getRecord(registry: Registry, id: number, kinds?: readonly RecordKind[]): Promise<KubeflowRecord> {
  return unitOf(registry).read(async (r) => {
    const record = await r.rest.getRecord(id);
    if (!record || (kinds && !kinds.includes(record.kind))) throw new NotFoundError(`artifact ${id}`);
    return record;
  });
}
