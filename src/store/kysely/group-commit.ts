import { type Kysely, sql } from "kysely";
import type { RegistryEvent } from "../../registry/core/types.js";
import type { CallBounds, StoreWriter } from "../../registry/ports/store.js";
import { callEnded, callEndedError, refuseEnded } from "./sql/call-bounds.js";
import { toNumber } from "./sql/integers.js";
import { KyselyWriter } from "./kysely-writer.js";
import { preparedQuery, withDirectStatements } from "./sql/prepared-query.js";
import type { Database } from "./schema.js";

/** What one write produced: its result and the events to publish after commit. */
export interface WriteOutcome<T> {
  result: T;
  events: RegistryEvent[];
}

interface Pending {
  fn: (writer: StoreWriter) => Promise<unknown>;
  /** The call's bounds: a write whose call ended is dropped before it starts (see runGroup). */
  bounds: CallBounds | undefined;
  resolve: (outcome: WriteOutcome<unknown>) => void;
  reject: (error: unknown) => void;
}

/** At most this many writes share one commit (bounds the time reads wait behind a group). */
export const MAX_GROUP = 64;

/**
 * Opens the write transaction: locks the counter row first, so writers queue here and commit
 * order is revision order. Returns the counters the first writer starts from.
 */
export async function lockCounters(trx: Kysely<Database>): Promise<{ revision: number; lastId: number }> {
  const [meta] = await LOCK_COUNTERS(trx, 1);
  if (!meta) throw new Error("the meta row is missing");
  return { revision: toNumber(meta.revision), lastId: toNumber(meta.last_id) };
}

const LOCK_COUNTERS = preparedQuery((db: Kysely<Database>, id: number) =>
  db.updateTable("meta").set({ revision: sql`revision` }).where("id", "=", id).returning(["revision", "last_id"]),
);

/** How a member's failure is isolated from the rest of its group. */
export type GroupIsolation =
  /** Each member in its own savepoint: a failure rolls back only that member (SQLite: free). */
  | "savepoint"
  /**
   * No savepoints (each would cost two round trips on Postgres): a failure rolls the whole group
   * back, the failed member gets its error, and the others run again as a new group.
   */
  | "rerun";

type Outcome = { ok: true; value: WriteOutcome<unknown> } | { ok: false; error: unknown };

/** Thrown inside a group's transaction to roll it back after a member failed ("rerun" isolation). */
const MEMBER_FAILED = Symbol("member failed");

/**
 * Group commit: writes are serialised anyway (on SQLite's one connection, on Postgres by the
 * counter row's lock), so the ones that queued up while a transaction ran go into the next
 * transaction together and share one lock, one COMMIT and, on SQLite, one write of the WAL
 * pages they touched (most of a small write's cost there: a group touches the index leaves and
 * the counter row once); on Postgres a member saves the round trips of BEGIN, the lock and COMMIT.
 *
 * To each caller it is the same as running alone, one after the other: a write sees the writes
 * before it, gets the next revisions and ids, and its failure undoes only its own changes (see
 * GroupIsolation). Its promise settles after the COMMIT, so nothing is reported (or published)
 * that is not durable; if the COMMIT fails, every write of the group fails with that error (and
 * the store retries the retryable ones). A lone write runs on the next turn of the event loop, in
 * a group of one.
 */
export class GroupCommitter {
  private readonly queue: Pending[] = [];
  private running = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly isolation: GroupIsolation,
    /** Told the number of writes of each committed transaction (the metrics' batch-size histogram). */
    private readonly onCommitted?: (writes: number) => void,
  ) {}

  /** Writes waiting for the next group (the running group not included). */
  get queued(): number {
    return this.queue.length;
  }

  write<T>(fn: (writer: StoreWriter) => Promise<T>, bounds?: CallBounds): Promise<WriteOutcome<T>> {
    return new Promise<WriteOutcome<T>>((resolve, reject) => {
      this.queue.push({ fn, bounds, resolve: resolve as (outcome: WriteOutcome<unknown>) => void, reject });
      if (this.running) return;
      this.running = true;
      // Start after the event loop's I/O phase: SQLite calls are synchronous, so a running group
      // holds the loop, and requests that arrived meanwhile are only read after it. Starting
      // now would take one of them per group; starting next turn takes all of them.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, MAX_GROUP).filter((item) => !dropEnded(item));
        if (group.length > 0) await this.runGroup(group);
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Runs a group in one transaction. A member whose call ended (its client cancelled, or its
   * deadline passed) while it waited, behind the group before it or for the counter lock, is
   * dropped without running; one whose call ends while it runs is undone like a failed member.
   * Only a call that ends during the COMMIT itself can still be committed (and its request_id
   * then gives the same answer on retry).
   */
  private async runGroup(group: Pending[]): Promise<void> {
    let members = group;
    for (;;) {
      const outcomes = new Map<Pending, Outcome>();
      let failed: { item: Pending; error: unknown } | undefined;
      let committed = false;
      try {
        await this.db.transaction().execute(async (trx) => {
          let counters = await lockCounters(trx);
          for (const item of members) {
            if (callEnded(item.bounds)) {
              // Ended while the group waited for the lock: nothing of it ran, nothing to undo.
              outcomes.set(item, { ok: false, error: callEndedError(item.bounds, "write") });
              continue;
            }
            const savepoint = this.isolation === "savepoint" && members.length > 1;
            if (savepoint) await sql`savepoint group_write`.execute(trx);
            const writer = new KyselyWriter(trx, counters.revision, counters.lastId);
            try {
              const result = await withDirectStatements(trx, () => item.fn(writer));
              await writer.flush();
              // Ended while it ran: undone like a failed member (its client was answered already).
              refuseEnded(item.bounds, "write");
              if (savepoint) await sql`release group_write`.execute(trx);
              counters = writer.counters();
              outcomes.set(item, { ok: true, value: { result, events: writer.events } });
            } catch (error) {
              // Alone, a write rolls back with its transaction.
              if (members.length === 1) throw error;
              if (!savepoint) {
                failed = { item, error };
                throw MEMBER_FAILED;
              }
              await sql`rollback to group_write`.execute(trx);
              await sql`release group_write`.execute(trx);
              outcomes.set(item, { ok: false, error });
            }
          }
        });
        committed = true;
      } catch (error) {
        if (error === MEMBER_FAILED && failed) {
          failed.item.reject(failed.error);
          members = members.filter((m) => m !== failed!.item);
          continue;
        }
        for (const item of members) if (outcomes.get(item)?.ok !== false) outcomes.set(item, { ok: false, error });
      }
      for (const item of members) {
        const outcome = outcomes.get(item)!;
        if (outcome.ok) item.resolve(outcome.value);
        else item.reject(outcome.error);
      }
      if (committed) this.onCommitted?.(members.length);
      return;
    }
  }
}

/** Rejects a queued write whose call ended before its group formed; true when it was dropped. */
function dropEnded(item: Pending): boolean {
  if (!callEnded(item.bounds)) return false;
  item.reject(callEndedError(item.bounds, "write"));
  return true;
}
