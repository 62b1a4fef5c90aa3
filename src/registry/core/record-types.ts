import type { JsonObject, Properties } from "./values.js";

/**
 * Domain types of what the Kubeflow REST gateway (issue 10) keeps beside the registry's own
 * resources: Kubeflow-only fields of registry resources, and the Kubeflow resources the registry
 * has no counterpart for (records). Records have no gRPC methods of their own, but every change
 * of one is an event (resource types Artifact and ServeModel), so Watch and ListEvents see them.
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

/** The ids a record's resource name (and its model) come from, resolved from its parent. */
export type RecordOwner =
  | { type: "version"; modelId: number; versionId: number }
  | { type: "run"; experimentId: number; runId: number }
  | { type: "inference-service"; environmentId: number; serviceId: number; modelId: number };

/** A doc/dataset/metric/parameter artifact or a ServeModel record. */
export interface KubeflowRecord {
  id: number;
  kind: RecordKind;
  parent: { type: RecordParentType; id: number } | null;
  /** The parent's place (null without a parent, or when the parent no longer exists). */
  owner: RecordOwner | null;
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
  /** The revision of the record's last change. */
  revision: number;
}

/** A record as a resource of the change stream: with its external id (an extra), if any. */
export interface RecordResource extends KubeflowRecord {
  externalId: string | null;
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
