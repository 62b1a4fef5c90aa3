import type { Kysely } from "kysely";
import type { ModelArtifact, ModelVersion, Properties, RegisteredModel, RegistryEvent } from "../../registry/core/types.js";
import type { NewEvent, RegisterRequestRecord, StoreWriter } from "../../registry/ports/store.js";
import { encodeJson } from "../../registry/core/json-codec.js";
import { compactEvents } from "./event-queries.js";
import { KyselyReader } from "./kysely-reader.js";
import { preparedInsert, preparedQuery } from "./prepared-query.js";
import { artifactToRow, modelToRow, propertyToRow, versionToRow } from "./rows.js";
import type { Database } from "./schema.js";

// The inserts every registration runs, compiled once (see prepared-query.ts).
const INSERT_VERSION = preparedInsert("model_versions");
const INSERT_ARTIFACT = preparedInsert("model_artifacts");
const INSERT_PROPERTIES = preparedInsert("properties");
const INSERT_EVENTS = preparedInsert("events");
const SET_COUNTERS = preparedQuery((db: Kysely<Database>, revision: number, lastId: number) =>
  db.updateTable("meta").set({ revision, last_id: lastId }).where("id", "=", 1),
);

/**
 * StoreWriter inside one transaction. It holds the meta row (locked by the store before it is
 * created), hands out ids and revisions from it in memory, and writes the counters and the
 * events back in flush(), just before commit.
 */
export class KyselyWriter extends KyselyReader implements StoreWriter {
  readonly events: RegistryEvent[] = [];
  private nextRevision: number;
  private nextId: number;

  constructor(
    db: Kysely<Database>,
    private readonly baseRevision: number,
    private readonly baseId: number,
  ) {
    super(db);
    this.nextRevision = baseRevision;
    this.nextId = baseId;
  }

  allocateId(): number {
    return ++this.nextId;
  }

  allocateRevision(): number {
    return ++this.nextRevision;
  }

  override async revision(): Promise<number> {
    return this.baseRevision;
  }

  /** The counters after this writer: where the next writer of the same transaction starts. */
  counters(): { revision: number; lastId: number } {
    return { revision: this.nextRevision, lastId: this.nextId };
  }

  async insertModel(model: RegisteredModel): Promise<void> {
    await this.db.insertInto("registered_models").values(modelToRow(model)).execute();
    await this.writeLabels(model.id, model.labels, false);
    await this.writeProperties(model.id, model.customProperties, false);
  }

  async updateModel(model: RegisteredModel): Promise<void> {
    const { id, create_time: _created, ...row } = modelToRow(model);
    await this.db.updateTable("registered_models").set(row).where("id", "=", id).execute();
    await this.writeLabels(model.id, model.labels, true);
    await this.writeProperties(model.id, model.customProperties, true);
  }

  async insertVersion(version: ModelVersion): Promise<void> {
    await INSERT_VERSION(this.db, [versionToRow(version)]);
    await this.writeProperties(version.id, version.customProperties, false);
    if (version.source) await this.lineage.writeVersionSource(version.id, version.source);
  }

  async updateVersion(version: ModelVersion): Promise<void> {
    const { id, model_id: _model, create_time: _created, ...row } = versionToRow(version);
    await this.db.updateTable("model_versions").set(row).where("id", "=", id).execute();
    await this.writeProperties(version.id, version.customProperties, true);
    if (version.source !== undefined) await this.lineage.writeVersionSource(version.id, version.source);
  }

  async insertArtifact(artifact: ModelArtifact): Promise<void> {
    await INSERT_ARTIFACT(this.db, [artifactToRow(artifact)]);
    await this.writeProperties(artifact.id, artifact.customProperties, false);
  }

  /** Writes the artifact's fields and its version (which changes once, when a standalone artifact is linked). */
  async updateArtifact(artifact: ModelArtifact): Promise<void> {
    const { id, create_time: _c, ...row } = artifactToRow(artifact);
    await this.db.updateTable("model_artifacts").set(row).where("id", "=", id).execute();
    await this.writeProperties(artifact.id, artifact.customProperties, true);
  }

  async insertRegisterRequest(record: RegisterRequestRecord, time: Date): Promise<void> {
    await this.db
      .insertInto("register_requests")
      .values({
        request_id: record.requestId,
        request_hash: record.requestHash,
        model_id: record.modelId,
        version_id: record.versionId,
        artifact_ids: JSON.stringify(record.artifactIds),
        create_time: time.getTime(),
      })
      .execute();
  }

  appendEvent(event: NewEvent): void {
    const expected = this.baseRevision + this.events.length + 1;
    if (event.revision !== expected) {
      throw new Error(`event revision ${event.revision} out of order, expected ${expected}`);
    }
    this.events.push(event);
  }

  compactEvents(throughRevision: number): Promise<number> {
    return compactEvents(this.db, throughRevision, this.baseRevision);
  }

  /** Writes the events and the counters. Every allocated revision must have its event. */
  async flush(): Promise<void> {
    if (this.nextRevision !== this.baseRevision + this.events.length) {
      throw new Error(`allocated ${this.nextRevision - this.baseRevision} revisions but recorded ${this.events.length} events`);
    }
    if (this.events.length > 0) {
      await INSERT_EVENTS(
        this.db,
        this.events.map((e) => ({
          revision: e.revision,
          type: e.type,
          resource_type: e.resource.type,
          resource_name: e.resourceName,
          model_id: e.modelId,
          actor: e.actor,
          reason: e.reason,
          time: e.time.getTime(),
          snapshot: encodeJson(e.resource.value),
          previous: e.previous ? encodeJson(e.previous.value) : null,
        })),
      );
    }
    if (this.nextRevision !== this.baseRevision || this.nextId !== this.baseId) {
      await SET_COUNTERS(this.db, this.nextRevision, this.nextId);
    }
  }

  private async writeProperties(id: number, props: Properties, replace: boolean): Promise<void> {
    if (replace) await this.db.deleteFrom("properties").where("resource_id", "=", id).execute();
    const rows = Object.entries(props).map(([key, value]) => propertyToRow(id, key, value));
    await INSERT_PROPERTIES(this.db, rows);
  }

  private async writeLabels(id: number, labels: Record<string, string>, replace: boolean): Promise<void> {
    if (replace) await this.db.deleteFrom("labels").where("resource_id", "=", id).execute();
    const rows = Object.entries(labels).map(([key, value]) => ({ resource_id: id, key, value }));
    if (rows.length > 0) await this.db.insertInto("labels").values(rows).execute();
  }
}
