import type { ColumnType } from "kysely";
import type { Int, PropertiesTable } from "./schema.js";

/** Kysely table types of aliases, lineage and deployments (migration 0003-lifecycle). */

type NullableInt = ColumnType<bigint | number | string | null, number | bigint | null, number | bigint | null>;

/** One row per alias; unique (model_id, alias) backs the compare-and-set. */
export interface ModelAliasesTable {
  id: Int;
  model_id: Int;
  alias: string;
  version_id: Int;
  create_time: Int;
  update_time: Int;
  revision: Int;
}

/** Every move of every alias, in revision order. */
export interface AliasHistoryTable {
  id: Int;
  revision: Int;
  model_id: Int;
  alias: string;
  /** SET or DELETED. */
  type: string;
  version_id: NullableInt;
  version: string;
  previous_version_id: NullableInt;
  previous_version: string;
  actor: string;
  reason: string;
  time: Int;
}

/** The lineage of a version; datasets as a JSON array. */
export interface ModelVersionSourcesTable {
  version_id: Int;
  experiment_id: NullableInt;
  run_id: NullableInt;
  pipeline_run_id: string;
  code_commit: string;
  datasets: string;
}

export interface ExperimentsTable {
  id: Int;
  display_name: string;
  description: string;
  owner: string;
  state: string;
  create_time: Int;
  update_time: Int;
  revision: Int;
}

export interface ExperimentRunsTable {
  id: Int;
  experiment_id: Int;
  display_name: string;
  description: string;
  author: string;
  status: string;
  start_time: Int;
  end_time: NullableInt;
  /** JSON array of dataset references. */
  datasets: string;
  create_time: Int;
  update_time: Int;
  revision: Int;
}

/** Run parameters, typed like custom properties (same columns). */
export type RunParamsTable = Omit<PropertiesTable, "resource_id"> & { run_id: Int };

/** Every logged metric value. */
export interface RunMetricsTable {
  id: Int;
  run_id: Int;
  key: string;
  value: number;
  step: Int;
  time: Int;
}

/** The latest value of each metric of a run (highest step, then latest logged). */
export interface RunLatestMetricsTable {
  run_id: Int;
  key: string;
  value: number;
  step: Int;
  metric_id: Int;
}

export interface ServingEnvironmentsTable {
  id: Int;
  display_name: string;
  description: string;
  create_time: Int;
  update_time: Int;
  revision: Int;
}

/** Spec (what should run) and status (what a controller reported) of an inference service. */
export interface InferenceServicesTable {
  id: Int;
  environment_id: Int;
  display_name: string;
  description: string;
  model_id: Int;
  version_id: NullableInt;
  alias: string;
  runtime: string;
  desired_state: string;
  spec_revision: Int;
  status_version_id: NullableInt;
  status_ready: Int;
  status_url: string;
  status_observed_revision: Int;
  status_message: string;
  status_time: NullableInt;
  status_reporter: string;
  create_time: Int;
  update_time: Int;
  revision: Int;
}

export interface LifecycleTables {
  model_aliases: ModelAliasesTable;
  alias_history: AliasHistoryTable;
  model_version_sources: ModelVersionSourcesTable;
  experiments: ExperimentsTable;
  experiment_runs: ExperimentRunsTable;
  run_params: RunParamsTable;
  run_metrics: RunMetricsTable;
  run_latest_metrics: RunLatestMetricsTable;
  serving_environments: ServingEnvironmentsTable;
  inference_services: InferenceServicesTable;
}
