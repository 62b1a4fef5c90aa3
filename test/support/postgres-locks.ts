import pg from "pg";
import { POSTGRES_URL } from "./dialects.js";

export interface WriteLock {
  /** Resolves once a connection of this application_name waits for the lock (a write is stuck behind it). */
  waitedOnBy(applicationName: string, deadlineMs?: number): Promise<void>;
  /** Commits the holding transaction: the writes behind it go on. */
  release(): Promise<void>;
}

/**
 * Holds the lock of the meta row, which every write transaction takes first (group-commit.ts
 * lockCounters), from a connection of its own: writes of the server on that schema wait for
 * it (or fail with 55P03 when lock_timeout is set) until release().
 */
export async function holdWriteLock(schema: string): Promise<WriteLock> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query("BEGIN");
  await client.query(`SELECT revision FROM "${schema}".meta WHERE id = 1 FOR UPDATE`);
  let released = false;
  return {
    async waitedOnBy(applicationName, deadlineMs = 10_000) {
      const end = Date.now() + deadlineMs;
      for (;;) {
        // Inside a transaction Postgres answers pg_stat_activity from a snapshot taken at its first
        // use: drop it, or every poll sees the moment of the first one.
        await client.query("SELECT pg_stat_clear_snapshot()");
        const { rowCount } = await client.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [
          applicationName,
        ]);
        if (rowCount) return;
        if (Date.now() > end) throw new Error(`no connection of ${applicationName} waited for the lock`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async release() {
      if (released) return;
      released = true;
      try {
        await client.query("COMMIT");
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Takes an ACCESS EXCLUSIVE lock on one table of the schema from a connection of its own: every
 * statement that reads the table waits (a query that would run as long as the test wants) until
 * release().
 */
export async function holdTableLock(schema: string, table: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query("BEGIN");
  await client.query(`LOCK TABLE "${schema}"."${table}" IN ACCESS EXCLUSIVE MODE`);
  return {
    async release() {
      await client.query("COMMIT");
      await client.end();
    },
  };
}
