/** Domain types: what the registry manages, free of transport and SQL concerns. */
import type { Alias } from "./alias-types.js";
import type { Experiment, ExperimentRun, VersionSource } from "./lineage-types.js";
import type { RecordResource } from "./record-types.js";
import type { InferenceService, ServingEnvironment } from "./serving-types.js";
import type { ArtifactState, OwnedFields, Properties, Stamps, State } from "./values.js";
import type { Webhook } from "./webhook-types.js";

export type * from "./alias-types.js";
export type * from "./lineage-types.js";
export type * from "./record-types.js";
export type * from "./serving-types.js";
export type * from "./values.js";
export type * from "./webhook-types.js";

export interface RegisteredModel extends Stamps, OwnedFields {
  readme: string;
}

export interface ModelVersion {
  id: number;
  modelId: number;
  /** Display name of the model, joined in for readability. */
  modelDisplayName: string;
  version: string;
  description: string;
  author: string;
  state: State;
  customProperties: Properties;
  createTime: Date;
  updateTime: Date;
  revision: number;
  /** Aliases of the model pointing at this version, sorted; filled on every read. */
  aliases?: string[];
  /** What produced the version; null or absent when nothing was recorded. */
  source?: VersionSource | null;
}

/** The fields of a model artifact that a create or update carries. */
export interface ArtifactFields {
  displayName: string;
  description: string;
  uri: string;
  modelFormatName: string;
  modelFormatVersion: string;
  storageKey: string;
  storagePath: string;
  serviceAccountName: string;
  state: ArtifactState;
  digest: string;
  customProperties: Properties;
}

export interface ModelArtifact extends Stamps, ArtifactFields {
  /**
   * The version (and model) the artifact belongs to; both null while it belongs to none: an
   * artifact created standalone through the Kubeflow gateway, named `artifacts/{id}` until it
   * is linked to a version (once, keeping its id).
   */
  versionId: number | null;
  modelId: number | null;
}

export type ResourceType =
  | "RegisteredModel"
  | "ModelVersion"
  | "ModelArtifact"
  | "Alias"
  | "Experiment"
  | "ExperimentRun"
  | "ServingEnvironment"
  | "InferenceService"
  | "Artifact"
  | "ServeModel"
  | "Webhook";

/** A resource as recorded in an event. */
export type Resource =
  | { type: "RegisteredModel"; value: RegisteredModel }
  | { type: "ModelVersion"; value: ModelVersion }
  | { type: "ModelArtifact"; value: ModelArtifact }
  | { type: "Alias"; value: Alias }
  | { type: "Experiment"; value: Experiment }
  | { type: "ExperimentRun"; value: ExperimentRun }
  | { type: "ServingEnvironment"; value: ServingEnvironment }
  | { type: "InferenceService"; value: InferenceService }
  /** A doc, dataset, metric or parameter artifact of the Kubeflow REST gateway. */
  | { type: "Artifact"; value: RecordResource }
  /** A Kubeflow ServeModel record. */
  | { type: "ServeModel"; value: RecordResource }
  /** A webhook, redacted (redactWebhook): no url credentials or query; the secret is never part of it. */
  | { type: "Webhook"; value: Webhook };

/** ALIAS_SET and ALIAS_DELETED carry an Alias: "alias X of model M now points at version V" (or no longer exists). */
export type EventType = "CREATED" | "UPDATED" | "STATE_CHANGED" | "DELETED" | "ALIAS_SET" | "ALIAS_DELETED";

/** One committed change: the unit of the change stream and of the audit log. */
export interface RegistryEvent {
  revision: number;
  type: EventType;
  resourceName: string;
  modelId: number | null;
  actor: string;
  reason: string;
  time: Date;
  resource: Resource;
  previous: Resource | null;
}

/** Who is calling and why: recorded on every event. */
export interface CallContext {
  actor: string;
  reason?: string;
  signal?: AbortSignal;
}

/** A page of a list. */
export interface Page<T> {
  items: T[];
  nextPageToken: string;
  revision: number;
  totalSize?: number;
}

/** The query part shared by every list call. */
export interface ListRequest {
  pageSize: number;
  pageToken: string;
  filter: string;
  orderBy: string;
  showTotalSize: boolean;
  /**
   * Refuse filter typos of built-in fields and hint at quoting (FilterOptions.hints). Set by the
   * native API; the Kubeflow REST gateway leaves it unset, keeping Kubeflow's empty page.
   */
  filterHints?: boolean;
}
