import type { JsonObject, Properties } from "./types.js";

/**
 * Domain types of what the Kubeflow REST gateway (issue 10) keeps beside the registry's own
 * resources: Kubeflow-only fields of registry resources, and the Kubeflow resources the registry
 * has no counterpart for. Neither appears over gRPC or in Watch.
 */

/** Kubeflow-only fields of one registry resource: its externalId and fields such as a model's license. */
export interface Extras {
  resourceId: number;
  /** The registry resource type (RegisteredModel, ModelVersion, …) or a record kind. */
  resourceType: string;
  /** Unique per resource type when set. */
  externalId: string | null;
  fields: JsonObject;
}

/** Kubeflow artifact types kept by the gateway (model artifacts are the registry's own). */
export const RECORD_ARTIFACT_KINDS = ["doc-artifact", "dataset-artifact", "metric", "parameter"] as const;
export type RecordKind = (typeof RECORD_ARTIFACT_KINDS)[number] | "serve-model";

export type RecordParentType = "version" | "run" | "inference-service";

/** A doc/dataset/metric/parameter artifact or a ServeModel record. */
export interface KubeflowRecord {
  id: number;
  kind: RecordKind;
  parent: { type: RecordParentType; id: number } | null;
  displayName: string;
  description: string;
  uri: string;
  /** An ArtifactState, or the ExecutionState of a ServeModel. */
  state: string;
  /** The kind's own fields: digest, sourceType, value, step, parameterType, modelVersionId, … */
  fields: JsonObject;
  customProperties: Properties;
  createTime: Date;
  updateTime: Date;
}

/** One logged metric value with the run (and experiment) it belongs to. */
export interface MetricHistoryPoint {
  id: number;
  runId: number;
  experimentId: number;
  key: string;
  value: number;
  step: number;
  time: Date;
}
