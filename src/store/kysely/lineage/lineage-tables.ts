import type { Int, NullableInt, PropertiesTable } from "../sql/base-tables.js";

/** Kysely table types of lineage: experiments, runs and the sources of versions (migration 0003-lifecycle). */

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

export interface LineageTables {
  model_version_sources: ModelVersionSourcesTable;
  experiments: ExperimentsTable;
  experiment_runs: ExperimentRunsTable;
  run_params: RunParamsTable;
  run_metrics: RunMetricsTable;
  run_latest_metrics: RunLatestMetricsTable;
}
