import type { Int, NullableInt } from "../sql/base-tables.js";

/** Kysely table types of model artifacts (migrations 0001-init and 0005-standalone-artifacts). */

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

/** The experiment and run an artifact (model artifact or record) is attributed to (migration 0005). */
export interface ArtifactRunsTable {
  artifact_id: Int;
  experiment_id: NullableInt;
  experiment_run_id: NullableInt;
}

export interface ArtifactTables {
  model_artifacts: ModelArtifactsTable;
  rest_artifact_runs: ArtifactRunsTable;
}
