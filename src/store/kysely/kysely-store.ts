import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import type { RegistryEvent } from "../../registry/core/types.js";
import {
  type CallBounds,
  type CommitListener,
  type RegistryStore,
  StoreError,
  type StoreReader,
  type StoreWriter,
} from "../../registry/ports/store.js";
import { callEnded, callEndedError, refuseEnded } from "./sql/call-bounds.js";
import type { PoolStats, StoreDialect } from "./dialect.js";
import { KyselyReader } from "./kysely-reader.js";
import { KyselyWriter } from "./kysely-writer.js";
import { GroupCommitter, lockCounters } from "./group-commit.js";
import { readSnapshot, withDirectStatements } from "./sql/prepared-query.js";

export interface KyselyStoreOptions {
  /** Attempts of a write that hits serialisation failures or lock timeouts (default 5). */
  maxWriteAttempts?: number;
  /** Base backoff between attempts (default 10 ms, doubled each time, with jitter). */
  retryBaseMs?: number;
  /** Told about retries and commits, for metrics (src/metrics); must not throw. */
  observer?: StoreObserver;
}

/** What the store reports as it writes (each call is cheap: a counter or histogram update). */
export interface StoreObserver {
  /** A write lost a serialisation race (SQLITE_BUSY, 40001, 40P01, 55P03) and runs again. */
  writeRetried(): void;
  /** A write gave up after maxWriteAttempts (the caller gets UNAVAILABLE). */
  writeGaveUp(): void;
  /** A transaction committed this many writes (1 without group commit). */
  committed(writes: number): void;
}

/** The store's connections and queue at one moment, read on each metrics scrape. */
export interface StoreStats {
  /** Postgres pool connections (pg.Pool counts); absent on SQLite's one connection. */
  pool?: PoolStats;
  /** Writes waiting for the next group commit (the running one not included). */
  queuedWrites: number;
}

/** Channel of the cross-replica "new events committed" signal. */
export const COMMIT_CHANNEL = "model_registry_events";

/** The one RegistryStore implementation: dialect-agnostic Kysely over a StoreDialect. */
export class KyselyRegistryStore implements RegistryStore {
  private readonly listeners = new Set<CommitListener>();
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly group: GroupCommitter | undefined;
  private readonly observer: StoreObserver | undefined;

  private constructor(
    private readonly dialectImpl: StoreDialect,
    private readonly key: Buffer,
    options: KyselyStoreOptions,
  ) {
    this.maxAttempts = options.maxWriteAttempts ?? 5;
    this.retryBaseMs = options.retryBaseMs ?? 10;
    this.observer = options.observer;
    this.group = dialectImpl.groupCommit
      ? new GroupCommitter(dialectImpl.db, dialectImpl.groupCommit, (writes) => this.observer?.committed(writes))
      : undefined;
  }

  /** Opens the store over a migrated database. */
  static async open(dialect: StoreDialect, options: KyselyStoreOptions = {}): Promise<KyselyRegistryStore> {
    const row = await dialect.db.selectFrom("meta").select("token_key").where("id", "=", 1).executeTakeFirstOrThrow();
    return new KyselyRegistryStore(dialect, Buffer.from(row.token_key, "base64url"), options);
  }

  get dialect() {
    return this.dialectImpl.name;
  }

  tokenKey(): Buffer {
    return this.key;
  }

  /** Pool and write-queue figures for metrics (no database call). */
  stats(): StoreStats {
    const pool = this.dialectImpl.poolStats?.();
    return { ...(pool ? { pool } : {}), queuedWrites: this.group?.queued ?? 0 };
  }

  async read<T>(fn: (reader: StoreReader) => Promise<T>, bounds?: CallBounds): Promise<T> {
    refuseEnded(bounds, "read");
    return this.classified(async () => {
      if (this.dialectImpl.readIsolation === "repeatable-read") {
        const tx = this.dialectImpl.db.transaction().setIsolationLevel("repeatable read").setAccessMode("read only");
        return tx.execute(async (trx) => {
          // The call may have ended while this waited for a pool connection.
          refuseEnded(bounds, "read");
          const unbind = bounds && this.dialectImpl.bindRead ? await this.dialectImpl.bindRead(trx, bounds) : undefined;
          try {
            return await fn(new KyselyReader(trx));
          } finally {
            await unbind?.();
          }
        });
      }
      return readSnapshot(this.dialectImpl.db, (connection) => fn(new KyselyReader(connection)));
    }, bounds);
  }

  async write<T>(fn: (writer: StoreWriter) => Promise<T>, bounds?: CallBounds): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      refuseEnded(bounds, "write");
      try {
        const { result, events } = await this.classified(() => this.writeOnce(fn, bounds), bounds);
        if (events.length > 0) this.published(events);
        return result;
      } catch (error) {
        if (!(error instanceof StoreError) || error.kind !== "serialization_failure") throw error;
        if (attempt >= this.maxAttempts) {
          this.observer?.writeGaveUp();
          throw new StoreError("unavailable", `write gave up after ${attempt} attempts: ${error.message}`, undefined, {
            cause: error,
          });
        }
        this.observer?.writeRetried();
        const backoff = this.retryBaseMs * 2 ** (attempt - 1);
        await sleep(backoff / 2 + Math.random() * backoff);
      }
    }
  }

  private async writeOnce<T>(fn: (writer: StoreWriter) => Promise<T>, bounds: CallBounds | undefined) {
    if (this.group) return this.group.write(fn, bounds);
    return this.dialectImpl.db
      .transaction()
      .execute(async (trx) => {
        // Lock the counter row first: writers queue here, so commit order is revision order.
        const counters = await lockCounters(trx);
        refuseEnded(bounds, "write");
        const writer = new KyselyWriter(trx, counters.revision, counters.lastId);
        const result = await withDirectStatements(trx, () => fn(writer));
        await writer.flush();
        refuseEnded(bounds, "write");
        return { result, events: writer.events };
      })
      .then((outcome) => {
        this.observer?.committed(1);
        return outcome;
      });
  }

  async ping(): Promise<void> {
    await this.classified(() => sql`select 1`.execute(this.dialectImpl.db));
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async listenForCommits(onCommit: (revision: number | undefined) => void, onLost: (error: Error) => void): Promise<(() => Promise<void>) | null> {
    if (!this.dialectImpl.listen) return null;
    return this.dialectImpl.listen(COMMIT_CHANNEL, (payload) => onCommit(/^\d+$/.test(payload) ? Number(payload) : undefined), onLost);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.dialectImpl.db.destroy();
    await this.dialectImpl.close?.();
  }

  /** Tells in-process listeners and, through the engine, other replicas. */
  private published(events: RegistryEvent[]): void {
    for (const listener of this.listeners) listener(events);
    // The payload is the newest revision, so a replica that already has it can skip the read.
    this.dialectImpl.notify?.(COMMIT_CHANNEL, String(events.at(-1)!.revision)).catch(() => {
      // Other replicas also poll the events table; a lost wake-up only delays them.
    });
  }

  /**
   * Runs fn, turning driver errors into StoreErrors; other errors pass through unchanged. A
   * statement cancelled because its call ended carries the call's abort reason.
   */
  private async classified<T>(fn: () => Promise<T>, bounds?: CallBounds): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const classified = this.dialectImpl.classifyError(error) ?? error;
      if (classified instanceof StoreError && classified.kind === "cancelled" && callEnded(bounds)) throw callEndedError(bounds, "query");
      throw classified;
    }
  }
}
