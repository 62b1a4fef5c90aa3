import type { Kysely } from "kysely";
import type { CallBounds, StoreError } from "../../registry/ports/store.js";
import type { GroupIsolation } from "./group-commit.js";
import type { Database } from "./schema.js";

/**
 * What differs between engines, and nothing else: construction, error classification and
 * connection lifecycle. The store itself is dialect-agnostic.
 */
export interface StoreDialect {
  readonly name: "sqlite" | "postgres";
  readonly db: Kysely<Database>;
  /** Turns a driver error into a StoreError kind, or undefined when it is not one we know. */
  classifyError(error: unknown): StoreError | undefined;
  /** Whether a read may run outside a transaction (one connection: queries are serialised anyway). */
  readonly readIsolation: "serializable-connection" | "repeatable-read";
  /** Writes run one at a time anyway: the queued ones share transactions (group-commit.ts), isolated so. */
  readonly groupCommit?: GroupIsolation;
  /**
   * Subscribes to the cross-process commit signal, when the engine has one. onError reports that
   * the subscription's connection died (the subscription is then over).
   */
  listen?(channel: string, onNotify: (payload: string) => void, onError?: (error: Error) => void): Promise<() => Promise<void>>;
  /** Sends the cross-process commit signal (after commit), with an optional payload. */
  notify?(channel: string, payload?: string): Promise<void>;
  /** The connection pool's counts, when the engine has a pool (metrics). */
  poolStats?(): PoolStats;
  /**
   * Bounds a read transaction, just begun, by its call (Postgres: a statement timeout of the
   * remaining time, and a cancel of the running query when the signal aborts). Returns what to
   * run before the transaction ends. Absent where the engine cannot interrupt a query (SQLite:
   * there the filter limits bound the work).
   */
  bindRead?(trx: Kysely<Database>, bounds: CallBounds): Promise<() => Promise<void>>;
  /** Closes what the dialect holds besides db (Kysely's destroy closes db). */
  close?(): Promise<void>;
}

/** A connection pool's counts at one moment (pg.Pool totalCount, idleCount, waitingCount). */
export interface PoolStats {
  /** Connections open (idle or checked out). */
  total: number;
  idle: number;
  /** Requests waiting for a connection (the pool is exhausted). */
  waiting: number;
  /** The pool's size (--pool-size). */
  max: number;
}
