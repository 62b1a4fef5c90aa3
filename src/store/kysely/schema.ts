import type { ColumnType } from "kysely";
import type { LifecycleTables } from "./lifecycle-schema.js";
import type { RestTables } from "./rest-schema.js";

/**
 * Integer columns as the drivers return them: better-sqlite3 (safe integers on) gives bigint,
 * pg gives int8 as string. rows.ts normalises them; writes accept number or bigint.
 */
export type Int = ColumnType<bigint | number | string, number | bigint, number | bigint>;
type NullableInt = ColumnType<bigint | number | string | null, number | bigint | null, number | bigint | null>;

/** The single counter row: revision allocation serialises writers (commit order = revision order). */
export interface MetaTable {
  id: Int;
  revision: Int;
  last_id: Int;
  /** Events with revision <= this were compacted away. */
  compacted_revision: Int;
  /** Random key that signs page tokens, shared by every replica on this database. */
  token_key: string;
}

export interface RegisteredModelsTable {
  id: Int;
  display_name: string;
  description: string;
  owner: string;
  state: string;
  readme: string;
  create_time: Int;
  update_time: Int;
  /** Revision of the last change; the etag. */
  revision: Int;
}

export interface ModelVersionsTable {
  id: Int;
  model_id: Int;
  version: string;
  description: string;
  author: string;
  state: string;
  create_time: Int;
  update_time: Int;
  revision: Int;
}

export interface ModelArtifactsTable {
  id: Int;
  /** Null while the artifact is linked to no version (created standalone through the Kubeflow gateway). */
  version_id: NullableInt;
  model_id: NullableInt;
  display_name: string;
  description: string;
  uri: string;
  model_format_name: string;
  model_format_version: string;
  storage_key: string;
  storage_path: string;
  service_account_name: string;
  state: string;
  digest: string;
  create_time: Int;
  update_time: Int;
  revision: Int;
}

/** Labels of any resource (ids are global, so one table serves every kind). */
export interface LabelsTable {
  resource_id: Int;
  key: string;
  value: string;
}

/**
 * Typed custom properties of any resource, one row per key so that filters and orderings on a
 * property are index range scans. number_value holds int and double values alike (for numeric
 * comparison across both); int_value keeps int64 exactly.
 */
export interface PropertiesTable {
  resource_id: Int;
  key: string;
  value_type: string;
  string_value: string | null;
  int_value: NullableInt;
  number_value: number | null;
  bool_value: NullableInt;
  struct_value: string | null;
}

/** RegisterModel request ids, for idempotent retries. */
export interface RegisterRequestsTable {
  request_id: string;
  request_hash: string;
  model_id: Int;
  version_id: Int;
  artifact_ids: string;
  create_time: Int;
}

/** The change log: one row per revision, written in the transaction of the change. */
export interface EventsTable {
  revision: Int;
  type: string;
  resource_type: string;
  resource_name: string;
  model_id: NullableInt;
  actor: string;
  reason: string;
  time: Int;
  /** JSON of the resource after the change (before it, for deletes). */
  snapshot: string;
  /** JSON of the resource before an update, else null. */
  previous: string | null;
}

/** The tables of aliases, lineage and deployments are declared in lifecycle-schema.ts. */
export interface Database extends LifecycleTables, RestTables, TransferTables {
  meta: MetaTable;
  registered_models: RegisteredModelsTable;
  model_versions: ModelVersionsTable;
  model_artifacts: ModelArtifactsTable;
  labels: LabelsTable;
  properties: PropertiesTable;
  register_requests: RegisterRequestsTable;
  events: EventsTable;
}

/** Kysely table types of export/import bookkeeping (migration 0006-import-progress). */

/** The one row (id 1) of the import loading this database, when one ran. */
export interface ImportProgressTable {
  id: Int;
  /** The export's id (its header line): a re-run with the same file resumes, another file is refused. */
  export_id: string;
  /** Records of the export (after the header) committed so far. */
  records_applied: Int;
  /** 1 once every record is in and the counters were advanced. */
  finished: Int;
  update_time: Int;
}

export interface TransferTables {
  import_progress: ImportProgressTable;
}
