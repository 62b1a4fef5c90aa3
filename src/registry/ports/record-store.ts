import type { Extras, KubeflowRecord, MetricHistoryPoint, RecordKind, RecordParentType } from "../core/record-types.js";
import type { ListQuery, ListResult } from "./store-lists.js";

/**
 * Store access of the Kubeflow REST gateway's own tables (migrations 0004-rest-artifacts and
 * 0005-standalone-artifacts).
 * StoreReader and StoreWriter expose it as `rest`; its SQL is in src/store/kysely/records/.
 */

/** Which records a list covers. A parent type without an id means "any existing parent of that type". */
export interface RecordScope {
  kinds: readonly RecordKind[];
  /** Records of this model's versions (and ServeModels of its inference services). */
  modelId?: number;
  parentType?: RecordParentType;
  parentId?: number;
}

export interface RecordReader {
  /** The extras of the resources that have any. */
  getExtras(resourceIds: number[]): Promise<Map<number, Extras>>;
  /** The resource id holding an external id within a resource type. */
  resourceIdByExternalId(resourceType: string, externalId: string): Promise<number | undefined>;
  getRecord(id: number): Promise<KubeflowRecord | undefined>;
  /** Every record of these parents, oldest first. */
  recordsOf(parentType: RecordParentType, parentIds: readonly number[]): Promise<KubeflowRecord[]>;
  /** Records whose parent still exists (or that have none). */
  listRecords(scope: RecordScope, query: ListQuery): Promise<ListResult<KubeflowRecord>>;
  /** Logged metric values of one run, or of every run. */
  listMetricHistory(scope: { runId?: number }, query: ListQuery): Promise<ListResult<MetricHistoryPoint>>;
}

export interface RecordWriter extends RecordReader {
  /** Inserts or replaces the extras of a resource. */
  putExtras(extras: Extras): Promise<void>;
  deleteExtras(resourceId: number): Promise<void>;
  /** Sets (or, with both null, removes) the experiment and run an artifact is attributed to. */
  putArtifactRun(artifactId: number, run: { experimentId: number | null; runId: number | null }): Promise<void>;
  insertRecord(record: KubeflowRecord): Promise<void>;
  updateRecord(record: KubeflowRecord): Promise<void>;
  /** Deletes records with their custom properties and extras. */
  deleteRecords(ids: readonly number[]): Promise<void>;
}
