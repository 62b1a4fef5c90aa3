import type { OwnedFields, Properties, Stamps } from "./values.js";

/** Lineage: experiments, runs, their metrics, and the datasets and run a version came from. */

/** A reference to one version of a dataset. */
export interface DatasetRef {
  name: string;
  uri: string;
  digest: string;
  source: string;
  context: string;
}

/** What produced a model version. */
export interface VersionSource {
  experimentId: number | null;
  runId: number | null;
  pipelineRunId: string;
  codeCommit: string;
  datasets: DatasetRef[];
}

export interface Experiment extends Stamps, OwnedFields {}

export type RunStatus = "RUNNING" | "FINISHED" | "FAILED" | "KILLED";

export interface ExperimentRun {
  id: number;
  experimentId: number;
  displayName: string;
  description: string;
  author: string;
  status: RunStatus;
  startTime: Date;
  endTime: Date | null;
  params: Properties;
  /** Latest value per metric key (the point with the highest step). */
  metrics: Record<string, number>;
  datasets: DatasetRef[];
  customProperties: Properties;
  createTime: Date;
  updateTime: Date;
  revision: number;
}

/** One logged metric value. */
export interface MetricPoint {
  key: string;
  value: number;
  step: number;
  time: Date;
}
