/** Domain types of aliases, lineage and deployments (issue 6), free of transport and SQL concerns. */
import type { Properties, State } from "./types.js";

/** A named pointer from a model to one of its versions. */
export interface Alias {
  /** A global id (never reused), so that alias lists page like every other list. */
  id: number;
  modelId: number;
  alias: string;
  versionId: number;
  /** The version string of versionId, joined in for readability. */
  version: string;
  modelDisplayName: string;
  createTime: Date;
  updateTime: Date;
  /** Revision of the last move; the etag. */
  revision: number;
}

/** One change of an alias, kept for as long as the model exists. */
export interface AliasHistoryEntry {
  id: number;
  revision: number;
  modelId: number;
  alias: string;
  type: "SET" | "DELETED";
  versionId: number | null;
  version: string;
  previousVersionId: number | null;
  previousVersion: string;
  actor: string;
  reason: string;
  time: Date;
}

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

export interface Experiment {
  id: number;
  displayName: string;
  description: string;
  owner: string;
  state: State;
  labels: Record<string, string>;
  customProperties: Properties;
  createTime: Date;
  updateTime: Date;
  revision: number;
}

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

export interface ServingEnvironment {
  id: number;
  displayName: string;
  description: string;
  labels: Record<string, string>;
  customProperties: Properties;
  createTime: Date;
  updateTime: Date;
  revision: number;
}

export type DesiredState = "DEPLOYED" | "UNDEPLOYED";

/** What a controller reported. */
export interface DeploymentStatus {
  servingVersionId: number | null;
  ready: boolean;
  url: string;
  observedRevision: number;
  message: string;
  reportTime: Date | null;
  reporter: string;
}

export interface InferenceService {
  id: number;
  environmentId: number;
  displayName: string;
  description: string;
  /** The registered model served (by id: ids are never reused, so a deleted model is never mistaken for another). */
  modelId: number;
  /** A pinned version, or null to follow alias (or latest when alias is empty). */
  versionId: number | null;
  alias: string;
  runtime: string;
  desiredState: DesiredState;
  labels: Record<string, string>;
  customProperties: Properties;
  /** The version the spec selects now (read time only; never stored). */
  targetVersionId?: number | null;
  /** Revision of the last spec change; controllers echo it as status.observedRevision. */
  specRevision: number;
  status: DeploymentStatus;
  createTime: Date;
  updateTime: Date;
  revision: number;
}
