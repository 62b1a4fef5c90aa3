import type {
  Alias,
  AliasHistoryEntry,
  Experiment,
  ExperimentRun,
  InferenceService,
  MetricPoint,
  ServingEnvironment,
  VersionSource,
} from "../registry/lifecycle-types.js";
import type { ModelArtifact, ModelVersion } from "../registry/types.js";
import type { ListQuery, ListResult } from "./store.js";

/**
 * Store access for aliases, deletes, lineage and deployments (issue 6). StoreReader and
 * StoreWriter expose them as `lifecycle`, `lineage` and `deployments`, so that each area's SQL
 * stays in its own file.
 */

/** Which models' aliases (or alias history) a list covers; undefined means every model. */
export interface ModelScope {
  modelId?: number;
}

export interface LifecycleReader {
  getAlias(modelId: number, alias: string): Promise<Alias | undefined>;
  /** The aliases pointing at any of the versions. */
  aliasesOfVersions(versionIds: number[]): Promise<Alias[]>;
  aliasesOfModel(modelId: number): Promise<Alias[]>;
  listAliases(scope: ModelScope, query: ListQuery): Promise<ListResult<Alias>>;
  listAliasHistory(scope: ModelScope, query: ListQuery): Promise<ListResult<AliasHistoryEntry>>;
  /** Every version of a model, oldest first (for cascades and deletes). */
  versionsOfModel(modelId: number): Promise<ModelVersion[]>;
  /** Every artifact of the versions, oldest first. */
  artifactsOfVersions(versionIds: number[]): Promise<ModelArtifact[]>;
  /** The first artifact of a version, oldest first, whose state is LIVE, REFERENCE or UNKNOWN. */
  servableArtifact(versionId: number): Promise<ModelArtifact | undefined>;
}

export interface LifecycleWriter extends LifecycleReader {
  insertAlias(alias: Alias): Promise<void>;
  updateAlias(alias: Alias): Promise<void>;
  deleteAlias(id: number): Promise<void>;
  appendAliasHistory(entry: AliasHistoryEntry): Promise<void>;
  /** Deletes a model and every row beneath it (aliases, history, versions, artifacts, metadata). */
  deleteModelRows(modelId: number): Promise<void>;
  /** Deletes a version and every row beneath it (artifacts, source, metadata). Aliases go first. */
  deleteVersionRows(versionId: number): Promise<void>;
  deleteArtifactRows(artifactId: number): Promise<void>;
}

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

export interface ServiceScope {
  environmentId?: number;
  /** Only services that deploy this version (pinned, by alias, or as latest) or report serving it. */
  deploying?: { modelId: number; versionId: number; isLatest: boolean };
}

/** Which DEPLOYED services a guard looks for. */
export type DeployedRef =
  | { kind: "model"; modelId: number }
  | { kind: "alias"; modelId: number; alias: string }
  | { kind: "version"; modelId: number; versionId: number; isLatest: boolean }
  | { kind: "environment"; environmentId: number };

export interface DeploymentReader {
  getEnvironment(id: number): Promise<ServingEnvironment | undefined>;
  getEnvironmentByDisplayName(displayName: string): Promise<ServingEnvironment | undefined>;
  listEnvironments(query: ListQuery): Promise<ListResult<ServingEnvironment>>;
  getService(id: number): Promise<InferenceService | undefined>;
  listServices(scope: ServiceScope, query: ListQuery): Promise<ListResult<InferenceService>>;
  servicesOfEnvironment(environmentId: number): Promise<InferenceService[]>;
  /** DEPLOYED services referring to the model, alias, version or environment (at most limit). */
  deployedServices(ref: DeployedRef, limit: number): Promise<InferenceService[]>;
}

export interface DeploymentWriter extends DeploymentReader {
  insertEnvironment(environment: ServingEnvironment): Promise<void>;
  updateEnvironment(environment: ServingEnvironment): Promise<void>;
  deleteEnvironmentRows(id: number): Promise<void>;
  insertService(service: InferenceService): Promise<void>;
  updateService(service: InferenceService): Promise<void>;
  deleteServiceRows(id: number): Promise<void>;
}
