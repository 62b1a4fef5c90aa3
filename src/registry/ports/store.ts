import type { AliasReader, AliasWriter } from "./alias-store.js";
import type { LineageReader, LineageWriter } from "./lineage-store.js";
import type { RecordReader, RecordWriter } from "./record-store.js";
import type { DeploymentReader, DeploymentWriter } from "./serving-store.js";
import type { ListQuery, ListResult } from "./store-lists.js";
import type { WebhookReader, WebhookWriter } from "./webhook-store.js";
import type { WebhookDeliveryReader, WebhookDeliveryWriter } from "./webhook-delivery-store.js";

export type * from "./alias-store.js";
export type * from "./lineage-store.js";
export type * from "./record-store.js";
export type * from "./serving-store.js";
export type * from "./store-lists.js";
export type * from "./webhook-store.js";
export type * from "./webhook-delivery-store.js";
import type { ModelArtifact, ModelVersion, RegisteredModel, RegistryEvent } from "../core/types.js";

/** Which versions a version list covers. */
export interface VersionScope {
  modelId?: number;
}

/**
 * Which artifacts an artifact list covers: one version's, one model's, the ones linked to no
 * version (`unlinked`), or (none set) all of them.
 */
export interface ArtifactScope {
  versionId?: number;
  modelId?: number;
  unlinked?: boolean;
}

/** A keyset page of the event log with optional filters; revision order. */
export interface EventQuery {
  /** Only revisions greater than this (ascending pages). */
  after?: number;
  /** Only revisions less than this (descending pages). */
  before?: number;
  /** Newest first. */
  descending?: boolean;
  limit: number;
  modelId?: number;
  resourceTypes?: readonly string[];
  resourceName?: string;
  actor?: string;
  types?: readonly string[];
  /** Only events at or after this time. */
  since?: Date;
  /** Only events before this time. */
  until?: Date;
}

/** What retention keeps: events newer than `olderThan`, and at least the newest `keep`. */
/** What retention removes: events older than `olderThan` (null: none by age) but not the newest `keep`, and anything beyond the newest `cap` (0: no cap). */
export interface RetentionBound {
  olderThan: Date | null;
  keep: number;
  cap: number;
}

/** A stored idempotency record of RegisterModel. */
export interface RegisterRequestRecord {
  requestId: string;
  requestHash: string;
  modelId: number;
  versionId: number;
  artifactIds: number[];
}

/** Reads, inside a read snapshot or a write transaction. */
export interface StoreReader {
  /** The revision of the newest committed change visible to this reader. */
  revision(): Promise<number>;
  getModel(id: number): Promise<RegisteredModel | undefined>;
  getModelByDisplayName(displayName: string): Promise<RegisteredModel | undefined>;
  getVersion(id: number): Promise<ModelVersion | undefined>;
  getVersionByString(modelId: number, version: string): Promise<ModelVersion | undefined>;
  /** The newest LIVE version of a model. */
  getLatestVersion(modelId: number): Promise<ModelVersion | undefined>;
  /** The newest LIVE version of each of the models (none for a model without one), in a fixed number of queries. */
  getLatestVersions(modelIds: readonly number[]): Promise<ModelVersion[]>;
  getArtifact(id: number): Promise<ModelArtifact | undefined>;
  getArtifacts(ids: number[]): Promise<ModelArtifact[]>;
  getRegisterRequest(requestId: string): Promise<RegisterRequestRecord | undefined>;
  listModels(query: ListQuery): Promise<ListResult<RegisteredModel>>;
  listVersions(scope: VersionScope, query: ListQuery): Promise<ListResult<ModelVersion>>;
  listArtifacts(scope: ArtifactScope, query: ListQuery): Promise<ListResult<ModelArtifact>>;
  /** Aliases and deletes, lineage, deployments (alias-store.ts, lineage-store.ts, serving-store.ts). */
  readonly lifecycle: AliasReader;
  readonly lineage: LineageReader;
  readonly deployments: DeploymentReader;
  /** The Kubeflow REST gateway's own tables (record-store.ts). */
  readonly rest: RecordReader;
  /** Webhooks and their sealed secrets (webhook-store.ts). */
  readonly webhooks: WebhookReader;
  /** Delivery attempts and the cursors that hold events back (webhook-delivery-store.ts). */
  readonly webhookDeliveries: WebhookDeliveryReader;
  /** Events up to and including this revision were compacted away (0: none). */
  compactedRevision(): Promise<number>;
  readEvents(query: EventQuery): Promise<RegistryEvent[]>;
  /** The highest revision retention may compact now (at most the compacted revision when nothing is due). */
  compactionCutoff(bound: RetentionBound): Promise<number>;
}

/** A new event; its revision was allocated with StoreWriter.allocateRevision. */
export type NewEvent = RegistryEvent;

/** Writes, inside one transaction that holds the revision counter. */
export interface StoreWriter extends StoreReader {
  /** A new, never reused resource id. */
  allocateId(): number;
  /** The next revision; every allocated revision must get exactly one event before commit. */
  allocateRevision(): number;
  insertModel(model: RegisteredModel): Promise<void>;
  updateModel(model: RegisteredModel): Promise<void>;
  insertVersion(version: ModelVersion): Promise<void>;
  updateVersion(version: ModelVersion): Promise<void>;
  insertArtifact(artifact: ModelArtifact): Promise<void>;
  updateArtifact(artifact: ModelArtifact): Promise<void>;
  insertRegisterRequest(record: RegisterRequestRecord, time: Date): Promise<void>;
  appendEvent(event: NewEvent): void;
  readonly lifecycle: AliasWriter;
  readonly lineage: LineageWriter;
  readonly deployments: DeploymentWriter;
  readonly rest: RecordWriter;
  readonly webhooks: WebhookWriter;
  readonly webhookDeliveries: WebhookDeliveryWriter;
  /** Deletes the events up to throughRevision (a prefix) and raises the compacted revision; returns the count. */
  compactEvents(throughRevision: number): Promise<number>;
}

/** Kinds of store failure the registry interprets; the store never throws registry errors. */
export type StoreErrorKind =
  | "unique_violation"
  | "foreign_key_violation"
  | "serialization_failure"
  | "unavailable"
  | "schema_too_new"
  /** The call ended (deadline, cancel) before or while its work ran: nothing of it was committed. */
  | "cancelled";

/**
 * How long the database may work for one call. A read or write whose call already ended is
 * refused before its transaction begins; on Postgres a read runs with a statement timeout of the
 * remaining time and its running query is cancelled when the signal aborts; a queued write is
 * dropped, never started, once its signal aborts (group-commit.ts).
 */
export interface CallBounds {
  /** Aborts when the call ends early: the client's cancel or deadline, or the server's deadline. */
  signal?: AbortSignal;
  /** Epoch milliseconds after which the call's answer is no longer awaited. */
  deadline?: number;
}

export class StoreError extends Error {
  override name = "StoreError";
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    /** The violated constraint, for unique and foreign key violations. */
    readonly constraint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Called after commit with the events of the transaction, in revision order. */
export type CommitListener = (events: readonly RegistryEvent[]) => void;

export interface RegistryStore {
  readonly dialect: "sqlite" | "postgres";
  /** Runs fn against one consistent snapshot, within the call's bounds. */
  read<T>(fn: (reader: StoreReader) => Promise<T>, bounds?: CallBounds): Promise<T>;
  /**
   * Runs fn in one transaction that first locks the revision counter, so writers are
   * serialised and commit order equals revision order. Retries serialisation failures
   * (bounded, with backoff); listeners see the events after commit. A write whose call ended
   * before it started is dropped (StoreError "cancelled"); one that reached COMMIT may commit.
   */
  write<T>(fn: (writer: StoreWriter) => Promise<T>, bounds?: CallBounds): Promise<T>;
  /** Signs page tokens: a key stored in the database, the same on every replica. */
  tokenKey(): Buffer;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  onCommit(listener: CommitListener): () => void;
  /**
   * Subscribes to commits of other processes on the same database (Postgres LISTEN), calling
   * onCommit with the newest committed revision when known. Null when the engine has no such
   * signal. onLost reports a dropped subscription; subscribe again to recover.
   */
  listenForCommits(onCommit: (revision: number | undefined) => void, onLost: (error: Error) => void): Promise<(() => Promise<void>) | null>;
  close(): Promise<void>;
}
