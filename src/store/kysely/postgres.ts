import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { StoreError } from "../../registry/ports/store.js";
import type { StoreDialect } from "./dialect.js";
import { createReadBinder } from "./postgres-bounds.js";
import type { Database } from "./schema.js";

export interface PostgresDialectOptions {
  connectionString: string;
  poolSize?: number;
  /** Schema to create and use (tests use one per file); default: the server's search_path. */
  schema?: string;
  connectTimeoutMs?: number;
  /** Called when an idle pooled connection dies (for example pg_terminate_backend). */
  onIdleError?: (error: Error) => void;
}

/** SQLSTATEs of connection loss and server shutdown: the call can be retried later. */
const UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300", "08000", "08001", "08003", "08004", "08006", "08007"]);
const NODE_NET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "EAI_AGAIN"]);

/** Postgres through pg: a pool, int8 normalised by the row mappers (sql/integers.ts), errors classified by SQLSTATE. */
export function createPostgresDialect(options: PostgresDialectOptions): StoreDialect {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    ...(options.schema ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {}),
  });
  // An idle client whose backend dies emits 'error' on the pool; unhandled, it kills the process.
  pool.on("error", (error) => options.onIdleError?.(error));
  // A checked-out client has no pool listener (pg-pool removes it while the client is lent), so a
  // backend that dies between the statements of a transaction is an 'error' event on the client
  // itself: heard here, the transaction's next statement fails as UNAVAILABLE instead.
  pool.on("connect", (client) => client.on("error", (error) => options.onIdleError?.(error)));
  // Cancels of reads whose calls ended (postgres-bounds.ts): apart, so that a full pool cannot hold them up.
  const cancels = new pg.Pool({ connectionString: options.connectionString, max: 2, idleTimeoutMillis: 5000, connectionTimeoutMillis: 5000 });
  cancels.on("error", (error) => options.onIdleError?.(error));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    name: "postgres",
    db,
    readIsolation: "repeatable-read",
    groupCommit: "rerun",
    classifyError: classifyPostgresError,
    async listen(channel, onNotify, onError) {
      const client = await pool.connect();
      let released = false;
      const release = (error?: Error) => {
        if (released) return;
        released = true;
        client.release(error ?? true);
      };
      client.on("notification", (message) => {
        if (message.channel === channel) onNotify(message.payload ?? "");
      });
      // A checked-out client has no pool error handler: without this a dropped connection is an
      // unhandled 'error' event that kills the process.
      client.on("error", (error) => {
        release(error);
        onError?.(error);
      });
      try {
        await client.query(`LISTEN ${quoteIdent(channel)}`);
      } catch (error) {
        release(error as Error);
        throw error;
      }
      return async () => release();
    },
    async notify(channel, payload = "") {
      await pool.query("SELECT pg_notify($1, $2)", [channel, payload]);
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: options.poolSize ?? 10 }),
    bindRead: createReadBinder(cancels),
    close: () => cancels.end(),
  };
}

/** Creates the schema if missing (tests and first start against an empty database). */
export async function ensurePostgresSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid schema name: ${name}`);
  return `"${name}"`;
}

function classifyPostgresError(error: unknown): StoreError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: string }).code;
  if (code === "23505") {
    return new StoreError("unique_violation", error.message, (error as { constraint?: string }).constraint, { cause: error });
  }
  if (code === "23503") return new StoreError("foreign_key_violation", error.message, undefined, { cause: error });
  // query_canceled: a statement timeout or pg_cancel_backend, both from a call that ended (postgres-bounds.ts).
  if (code === "57014") return new StoreError("cancelled", error.message, undefined, { cause: error });
  if (code === "40001" || code === "40P01" || code === "55P03") {
    return new StoreError("serialization_failure", error.message, undefined, { cause: error });
  }
  if ((code && (UNAVAILABLE_STATES.has(code) || NODE_NET_CODES.has(code))) || isConnectionLoss(error)) {
    return new StoreError("unavailable", error.message, undefined, { cause: error });
  }
  return undefined;
}

/** pg reports a dropped connection without a code, in a few phrasings. */
function isConnectionLoss(error: Error): boolean {
  return /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Client was closed/i.test(error.message);
}
