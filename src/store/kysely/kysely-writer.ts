import type { Kysely } from "kysely";
import type { ModelArtifact, ModelVersion, RegisteredModel, RegistryEvent } from "../../registry/core/types.js";
import type { NewEvent, RegisterRequestRecord, StoreWriter } from "../../registry/ports/store.js";
import { insertArtifact, updateArtifact } from "./artifacts/artifact-queries.js";
import { compactEvents, insertEvents } from "./events/event-queries.js";
import { KyselyReader } from "./kysely-reader.js";
import { insertModel, insertRegisterRequest, updateModel } from "./models/model-queries.js";
import { preparedQuery } from "./sql/prepared-query.js";
import type { Database } from "./schema.js";
import { insertVersion, updateVersion } from "./versions/version-queries.js";

// The counters' write of every transaction, compiled once (see prepared-query.ts).
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

  insertModel(model: RegisteredModel): Promise<void> {
    return insertModel(this.db, model);
  }

  updateModel(model: RegisteredModel): Promise<void> {
    return updateModel(this.db, model);
  }

  async insertVersion(version: ModelVersion): Promise<void> {
    await insertVersion(this.db, version);
    if (version.source) await this.lineage.writeVersionSource(version.id, version.source);
  }

  async updateVersion(version: ModelVersion): Promise<void> {
    await updateVersion(this.db, version);
    if (version.source !== undefined) await this.lineage.writeVersionSource(version.id, version.source);
  }

  insertArtifact(artifact: ModelArtifact): Promise<void> {
    return insertArtifact(this.db, artifact);
  }

  /** Writes the artifact's fields and its version (which changes once, when a standalone artifact is linked). */
  updateArtifact(artifact: ModelArtifact): Promise<void> {
    return updateArtifact(this.db, artifact);
  }

  insertRegisterRequest(record: RegisterRequestRecord, time: Date): Promise<void> {
    return insertRegisterRequest(this.db, record, time);
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
    await insertEvents(this.db, this.events);
    if (this.nextRevision !== this.baseRevision || this.nextId !== this.baseId) {
      await SET_COUNTERS(this.db, this.nextRevision, this.nextId);
    }
  }
}
