import type { Int, NullableInt } from "../sql/base-tables.js";

/**
 * Kysely table types of the Kubeflow gateway's own storage (migrations 0004-rest-artifacts and
 * 0005-standalone-artifacts): records (doc, dataset, metric and parameter artifacts, ServeModels)
 * and the extras of any resource.
 */

/** Kubeflow-only fields of one registry resource (any kind; ids are global). */
export interface ExtrasTable {
  resource_id: Int;
  resource_type: string;
  external_id: string | null;
  /** JSON object of the other Kubeflow-only fields. */
  fields: string;
}

/** Doc, dataset, metric and parameter artifacts, and ServeModel records. */
export interface RecordsTable {
  id: Int;
  kind: string;
  /** version, run, inference-service, or "" (no parent). */
  parent_type: string;
  parent_id: NullableInt;
  display_name: string;
  description: string;
  uri: string;
  state: string;
  /** JSON object of the kind's own fields (digest, value, step, …). */
  fields: string;
  create_time: Int;
  update_time: Int;
  /** The revision of the record's last change (its event). */
  revision: Int;
}

export interface RecordTables {
  rest_extras: ExtrasTable;
  rest_artifacts: RecordsTable;
}
