import type { RecordScope } from "../ports/record-store.js";
import type { Cursor, ListQuery, StoreReader } from "../ports/store.js";
import { ResourceExhaustedError } from "../core/errors.js";
import type { FilterExpr } from "../filter/ast.js";
import { recordResources } from "../artifacts/records.js";
import { RECORD_ARTIFACT_KINDS } from "../core/record-types.js";
import type { Registry } from "../shared/registry.js";
import type { Resource, ResourceType } from "../core/types.js";
import { unitOf } from "../shared/registry.js";

/** The current objects a watch selects, and the revision they were read at (one snapshot): the use case behind send_initial. */
export interface InitialSnapshot {
  revision: number;
  resources: Resource[];
}

interface ListerScope {
  modelId?: number;
  filter: FilterExpr | null;
}

type Lister = (r: StoreReader, scope: ListerScope, after: Cursor | null, limit: number) => Promise<{ items: Resource[]; next: Cursor | null }>;

const PAGE = 500;

/** Keyset pages in id order (the store appends the id as the only key). */
const byId = (filter: FilterExpr | null, after: Cursor | null, limit: number): ListQuery => ({
  filter,
  sort: [],
  after,
  limit,
  withTotal: false,
});

const and = (...items: Array<FilterExpr | null>): FilterExpr | null => {
  const present = items.filter((e): e is FilterExpr => e !== null);
  return present.length === 0 ? null : present.length === 1 ? present[0]! : { kind: "and", items: present };
};

const idIs = (id: number | undefined): FilterExpr | null =>
  id === undefined ? null : { kind: "cmp", field: { kind: "attr", name: "id", type: "int" }, op: "=", value: { kind: "int", value: BigInt(id) } };

const modelIs = (id: number | undefined): FilterExpr | null =>
  id === undefined
    ? null
    : { kind: "cmp", field: { kind: "attr", name: "registered_model_id", type: "int" }, op: "=", value: { kind: "int", value: BigInt(id) } };

const NONE = { items: [] as Resource[], next: null };

const wrap = <T extends Resource>(type: T["type"], page: { items: Array<T["value"]>; next: Cursor | null }) => ({
  items: page.items.map((value) => ({ type, value }) as Resource),
  next: page.next,
});

/**
 * How send_initial lists each resource type: the store's list queries (with the filter compiled
 * to SQL, the same semantics Watch evaluates in memory). A type without an entry cannot be
 * listed yet: asking for it with send_initial is INVALID_ARGUMENT, and a watch of every type
 * leaves it out of the initial objects.
 */
const LISTERS: Partial<Record<ResourceType, Lister>> = {
  RegisteredModel: async (r, s, after, limit) => wrap("RegisteredModel", await r.listModels(byId(and(idIs(s.modelId), s.filter), after, limit))),
  ModelVersion: async (r, s, after, limit) => wrap("ModelVersion", await r.listVersions({ modelId: s.modelId }, byId(s.filter, after, limit))),
  ModelArtifact: async (r, s, after, limit) => wrap("ModelArtifact", await r.listArtifacts({ modelId: s.modelId }, byId(s.filter, after, limit))),
  Alias: async (r, s, after, limit) => wrap("Alias", await r.lifecycle.listAliases({ modelId: s.modelId }, byId(s.filter, after, limit))),
  InferenceService: async (r, s, after, limit) =>
    wrap("InferenceService", await r.deployments.listServices({}, byId(and(modelIs(s.modelId), s.filter), after, limit))),
  // Not under a model: a watch scoped to one model never sees them.
  Experiment: async (r, s, after, limit) =>
    s.modelId !== undefined ? NONE : wrap("Experiment", await r.lineage.listExperiments(byId(s.filter, after, limit))),
  ExperimentRun: async (r, s, after, limit) =>
    s.modelId !== undefined ? NONE : wrap("ExperimentRun", await r.lineage.listRuns({}, byId(s.filter, after, limit))),
  ServingEnvironment: async (r, s, after, limit) =>
    s.modelId !== undefined ? NONE : wrap("ServingEnvironment", await r.deployments.listEnvironments(byId(s.filter, after, limit))),
  // The Kubeflow gateway's records: artifacts of a model's versions, ServeModels of its services.
  Artifact: (r, s, after, limit) => records(r, { kinds: RECORD_ARTIFACT_KINDS, modelId: s.modelId }, byId(s.filter, after, limit)),
  ServeModel: (r, s, after, limit) => records(r, { kinds: ["serve-model"], modelId: s.modelId }, byId(s.filter, after, limit)),
};

/** A page of records as resources, with their external ids. */
async function records(r: StoreReader, scope: RecordScope, query: ListQuery) {
  const page = await r.rest.listRecords(scope, query);
  return { items: await recordResources(r, page.items), next: page.next };
}

/** Whether the current objects of a type can be listed for a watch's send_initial. */
export function isListable(type: ResourceType): boolean {
  return LISTERS[type] !== undefined;
}

/** What a watch's send_initial reads: listable types in order, within a model, each with its filter. */
export interface SnapshotPlan {
  types: readonly ResourceType[];
  modelId?: number;
  filterOf: (type: ResourceType) => FilterExpr | null;
}

/**
 * Reads every selected current object and the revision in one read snapshot (REPEATABLE READ
 * on Postgres; SQLite reads are serialised), into memory, so a slow client never holds a
 * transaction open. More than maxObjects is RESOURCE_EXHAUSTED: narrow the watch.
 */
export async function readCurrentObjects(registry: Registry, plan: SnapshotPlan, maxObjects: number): Promise<InitialSnapshot> {
  return unitOf(registry).read(async (r) => {
    const revision = await r.revision();
    const resources: Resource[] = [];
    for (const type of plan.types) {
      const list = LISTERS[type]!;
      const scope: ListerScope = { modelId: plan.modelId, filter: plan.filterOf(type) };
      let after: Cursor | null = null;
      do {
        const page = await list(r, scope, after, PAGE);
        resources.push(...page.items);
        if (resources.length > maxObjects) {
          throw new ResourceExhaustedError(
            `send_initial: more than ${maxObjects} objects match; narrow the watch by resource_types, registered_model or filter`,
            "INITIAL_SNAPSHOT_TOO_LARGE",
          );
        }
        after = page.next;
      } while (after);
    }
    return { revision, resources };
  });
}
