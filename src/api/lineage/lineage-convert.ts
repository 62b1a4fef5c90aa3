import { create } from "@bufbuild/protobuf";
import { type Timestamp, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type InferenceService as PbInferenceService,
  InferenceServiceSchema,
  DesiredState as PbDesiredState,
  type ServingEnvironment as PbServingEnvironment,
  ServingEnvironmentSchema,
} from "../../../gen/modelregistry/v1/deployments_pb.js";
import {
  type Alias as PbAlias,
  AliasChangeType,
  type AliasHistoryEntry as PbAliasHistoryEntry,
  AliasHistoryEntrySchema,
  AliasSchema,
} from "../../../gen/modelregistry/v1/lifecycle_pb.js";
import {
  type Experiment as PbExperiment,
  type ExperimentRun as PbExperimentRun,
  ExperimentRunSchema,
  ExperimentRunStatus,
  ExperimentSchema,
  type Metric as PbMetric,
  MetricSchema,
} from "../../../gen/modelregistry/v1/lineage_pb.js";
import { State as PbState } from "../../../gen/modelregistry/v1/resources_pb.js";
import type { EnvironmentInput, ServiceInput } from "../../registry/deployments.js";
import { InvalidArgumentError } from "../../registry/errors.js";
import type { RunInput } from "../../registry/experiment-runs.js";
import type { ExperimentInput } from "../../registry/experiments.js";
import type {
  Alias,
  AliasHistoryEntry,
  DesiredState,
  Experiment,
  ExperimentRun,
  InferenceService,
  MetricPoint,
  RunStatus,
  ServingEnvironment,
} from "../../registry/lifecycle-types.js";
import { aliasName, environmentName, experimentName, inferenceServiceName, runName } from "../../registry/lifecycle-names.js";
import { modelName, versionName } from "../../registry/names.js";
import { etagOf } from "../../registry/registry.js";
import type { State } from "../../registry/types.js";
import { propertiesIn, propertiesOut, resourceFieldsOut } from "../shared/convert.js";
import { datasetIn, datasetOut } from "../shared/source-convert.js";

/** Proto <-> domain for aliases, experiments, runs, serving environments and inference services. */

const versionRef = (modelId: number, versionId: number | null | undefined) =>
  versionId === null || versionId === undefined ? "" : versionName(modelId, versionId);

const ts = (d: Date | null) => (d ? timestampFromDate(d) : undefined);
const tsIn = (t: Timestamp | undefined) => (t ? timestampDate(t) : undefined);

/** An enum by its proto name; UNSPECIFIED is undefined, unknown numbers INVALID_ARGUMENT. */
function enumIn<T extends string>(field: string, value: number, names: Record<number, string>, allowed: readonly T[]): T | undefined {
  if (value === 0) return undefined;
  const name = names[value] as T | undefined;
  if (name === undefined || !allowed.includes(name)) throw InvalidArgumentError.field(field, `unknown value ${value}`, "INVALID_ENUM");
  return name;
}

export function aliasOut(a: Alias): PbAlias {
  return create(AliasSchema, {
    name: aliasName(a.modelId, a.alias),
    alias: a.alias,
    registeredModel: modelName(a.modelId),
    modelVersion: versionName(a.modelId, a.versionId),
    version: a.version,
    registeredModelDisplayName: a.modelDisplayName,
    createTime: timestampFromDate(a.createTime),
    updateTime: timestampFromDate(a.updateTime),
    etag: etagOf(a),
  });
}

export function aliasHistoryOut(e: AliasHistoryEntry): PbAliasHistoryEntry {
  return create(AliasHistoryEntrySchema, {
    alias: e.alias,
    registeredModel: modelName(e.modelId),
    type: e.type === "SET" ? AliasChangeType.SET : AliasChangeType.DELETED,
    modelVersion: versionRef(e.modelId, e.versionId),
    version: e.version,
    previousModelVersion: versionRef(e.modelId, e.previousVersionId),
    previousVersion: e.previousVersion,
    actor: e.actor,
    reason: e.reason,
    time: timestampFromDate(e.time),
    revision: BigInt(e.revision),
  });
}

export function experimentIn(p: PbExperiment | undefined): ExperimentInput {
  const e = p ?? create(ExperimentSchema);
  return {
    displayName: e.displayName,
    description: e.description,
    owner: e.owner,
    state: enumIn<State>("experiment.state", e.state, PbState, ["LIVE", "ARCHIVED"]),
    labels: { ...e.labels },
    customProperties: propertiesIn("experiment.custom_properties", e.customProperties),
  };
}

export function experimentOut(e: Experiment): PbExperiment {
  return create(ExperimentSchema, {
    name: experimentName(e.id),
    ...resourceFieldsOut(e),
    displayName: e.displayName,
    description: e.description,
    owner: e.owner,
    state: e.state === "LIVE" ? PbState.LIVE : PbState.ARCHIVED,
    labels: e.labels,
    customProperties: propertiesOut(e.customProperties),
  });
}

export function runIn(p: PbExperimentRun | undefined): RunInput {
  const r = p ?? create(ExperimentRunSchema);
  return {
    displayName: r.displayName,
    description: r.description,
    author: r.author,
    status: enumIn<RunStatus>("experiment_run.status", r.status, ExperimentRunStatus, ["RUNNING", "FINISHED", "FAILED", "KILLED"]),
    startTime: tsIn(r.startTime),
    endTime: tsIn(r.endTime),
    params: propertiesIn("experiment_run.params", r.params),
    metrics: { ...r.metrics },
    datasets: r.datasets.map(datasetIn),
    customProperties: propertiesIn("experiment_run.custom_properties", r.customProperties),
  };
}

export function runOut(r: ExperimentRun): PbExperimentRun {
  return create(ExperimentRunSchema, {
    name: runName(r.experimentId, r.id),
    ...resourceFieldsOut(r),
    experiment: experimentName(r.experimentId),
    displayName: r.displayName,
    description: r.description,
    author: r.author,
    status: ExperimentRunStatus[r.status],
    startTime: ts(r.startTime),
    endTime: ts(r.endTime),
    params: propertiesOut(r.params),
    metrics: r.metrics,
    datasets: r.datasets.map(datasetOut),
    customProperties: propertiesOut(r.customProperties),
  });
}

export function metricIn(m: PbMetric): Omit<MetricPoint, "time"> & { time: Date | undefined } {
  const step = m.step;
  if (step > BigInt(Number.MAX_SAFE_INTEGER) || step < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw InvalidArgumentError.field("metrics.step", "must be a safe integer (|step| < 2^53)");
  }
  return { key: m.key, value: m.value, step: Number(step), time: tsIn(m.time) };
}

export function metricOut(m: MetricPoint): PbMetric {
  return create(MetricSchema, { key: m.key, value: m.value, step: BigInt(m.step), time: timestampFromDate(m.time) });
}

export function environmentIn(p: PbServingEnvironment | undefined): EnvironmentInput {
  const e = p ?? create(ServingEnvironmentSchema);
  return {
    displayName: e.displayName,
    description: e.description,
    labels: { ...e.labels },
    customProperties: propertiesIn("serving_environment.custom_properties", e.customProperties),
  };
}

export function environmentOut(e: ServingEnvironment): PbServingEnvironment {
  return create(ServingEnvironmentSchema, {
    name: environmentName(e.id),
    ...resourceFieldsOut(e),
    displayName: e.displayName,
    description: e.description,
    labels: e.labels,
    customProperties: propertiesOut(e.customProperties),
  });
}

export function serviceIn(p: PbInferenceService | undefined): ServiceInput {
  const s = p ?? create(InferenceServiceSchema);
  return {
    displayName: s.displayName,
    description: s.description,
    registeredModel: s.registeredModel,
    modelVersion: s.modelVersion,
    alias: s.alias,
    runtime: s.runtime,
    desiredState: enumIn<DesiredState>("inference_service.desired_state", s.desiredState, PbDesiredState, ["DEPLOYED", "UNDEPLOYED"]),
    labels: { ...s.labels },
    customProperties: propertiesIn("inference_service.custom_properties", s.customProperties),
  };
}

export function serviceOut(s: InferenceService): PbInferenceService {
  return create(InferenceServiceSchema, {
    name: inferenceServiceName(s.environmentId, s.id),
    ...resourceFieldsOut(s),
    servingEnvironment: environmentName(s.environmentId),
    displayName: s.displayName,
    description: s.description,
    registeredModel: modelName(s.modelId),
    modelVersion: versionRef(s.modelId, s.versionId),
    alias: s.alias,
    runtime: s.runtime,
    desiredState: PbDesiredState[s.desiredState],
    labels: s.labels,
    customProperties: propertiesOut(s.customProperties),
    targetModelVersion: versionRef(s.modelId, s.targetVersionId),
    specRevision: BigInt(s.specRevision),
    status: {
      servingModelVersion: versionRef(s.modelId, s.status.servingVersionId),
      ready: s.status.ready,
      url: s.status.url,
      observedRevision: BigInt(s.status.observedRevision),
      message: s.status.message,
      reportTime: ts(s.status.reportTime),
      reporter: s.status.reporter,
    },
  });
}
