import type { ColumnType } from "kysely";
import type { Int } from "./schema.js";

/** Kysely table types of the REST gateway's own tables (migrations 0004-rest-artifacts and 0005-standalone-artifacts). */

type NullableInt = ColumnType<bigint | number | string | null, number | bigint | null, number | bigint | null>;

/** Kubeflow-only fields of one registry resource (any kind; ids are global). */
export interface RestExtrasTable {
  resource_id: Int;
  resource_type: string;
  external_id: string | null;
  /** JSON object of the other Kubeflow-only fields. */
  fields: string;
}

/** Doc, dataset, metric and parameter artifacts, and ServeModel records. */
export interface RestArtifactsTable {
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

/** The experiment and run an artifact (model artifact or record) is attributed to (migration 0005). */
export interface RestArtifactRunsTable {
  artifact_id: Int;
  experiment_id: NullableInt;
  experiment_run_id: NullableInt;
}

export interface RestTables {
  rest_extras: RestExtrasTable;
  rest_artifacts: RestArtifactsTable;
  rest_artifact_runs: RestArtifactRunsTable;
}
