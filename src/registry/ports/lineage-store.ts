import type { Experiment, ExperimentRun, MetricPoint, VersionSource } from "../core/types.js";
import type { ListQuery, ListResult } from "./store-lists.js";

/** Store access for experiments, runs and metric history (exposed as `lineage`). */

export interface RunScope {
  experimentId?: number;
}

export interface LineageReader {
  getExperiment(id: number): Promise<Experiment | undefined>;
  getExperimentByDisplayName(displayName: string): Promise<Experiment | undefined>;
  listExperiments(query: ListQuery): Promise<ListResult<Experiment>>;
  getRun(id: number): Promise<ExperimentRun | undefined>;
  listRuns(scope: RunScope, query: ListQuery): Promise<ListResult<ExperimentRun>>;
  runsOfExperiment(experimentId: number): Promise<ExperimentRun[]>;
  listMetricHistory(runId: number, query: ListQuery): Promise<ListResult<MetricPoint>>;
  /** Ids of the versions whose source names any of the runs (at most limit). */
  versionsFromRuns(runIds: number[], limit: number): Promise<number[]>;
}

export interface LineageWriter extends LineageReader {
  insertExperiment(experiment: Experiment): Promise<void>;
  updateExperiment(experiment: Experiment): Promise<void>;
  deleteExperimentRows(id: number): Promise<void>;
  insertRun(run: ExperimentRun): Promise<void>;
  /** Writes the run's fields, params, datasets and custom properties (not its metrics). */
  updateRun(run: ExperimentRun): Promise<void>;
  deleteRunRows(id: number): Promise<void>;
  /** Appends metric points (each with a fresh global id) and updates the latest values. */
  appendMetrics(runId: number, points: Array<MetricPoint & { id: number }>): Promise<void>;
  /** Replaces the source of a version (null removes it). */
  writeVersionSource(versionId: number, source: VersionSource | null): Promise<void>;
}
