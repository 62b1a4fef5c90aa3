import { type Compilable, type CompiledQuery, type Insertable, type Kysely, QueryCreator, type RootOperationNode } from "kysely";
import type { DynamicDatabase } from "./dynamic-query.js";

/** What running a compiled query needs of a Kysely instance, connection or transaction, whatever its tables. */
type QueryRunner = Pick<Kysely<unknown>, "getExecutor" | "executeQuery">;

/** Runs a statement synchronously on the engine's one connection, returning its rows (none for a plain write). */
export type SyncRunner = (sql: string, parameters: readonly unknown[]) => unknown[];

/** Engines whose connection can run a prepared statement synchronously (SQLite), by Kysely adapter. */
const syncRunners = new WeakMap<object, SyncRunner>();
/** Transactions whose callback is running right now: they hold the engine's one connection. */
const openTransactions = new WeakSet<object>();

/** Lets prepared queries of this Kysely instance (and its transactions) skip the executor inside withDirectStatements. */
export function registerSyncRunner(db: QueryRunner, run: SyncRunner): void {
  syncRunners.set(db.getExecutor().adapter, run);
}

/**
 * Runs a transaction's callback with direct statements on: while it runs, the transaction holds
 * the single SQLite connection (Kysely's connection mutex), so a prepared query can run its
 * cached statement right away instead of going through Kysely's executor, with the same
 * result. Only while fn runs: after it, the transaction commits, and a stray query goes through
 * Kysely (which refuses it). A direct statement runs when it is called, so code must await a
 * query before it starts the next one that depends on it (as all of ours do).
 */
export async function withDirectStatements<T>(trx: QueryRunner, fn: () => Promise<T>): Promise<T> {
  if (!syncRunners.has(trx.getExecutor().adapter)) return fn();
  openTransactions.add(trx);
  try {
    return await fn();
  } finally {
    openTransactions.delete(trx);
  }
}

/**
 * A read-only snapshot on an engine with a sync runner (SQLite): takes the one connection and
 * runs BEGIN / COMMIT as cached statements around fn, which gets the connection and direct
 * statements. Without a sync runner it is a plain Kysely transaction. (Kysely's own transaction
 * machinery costs about as much as the point lookups of a Get.)
 */
export async function readSnapshot<DB, T>(db: Kysely<DB>, fn: (connection: Kysely<DB>) => Promise<T>): Promise<T> {
  const run = syncRunners.get(db.getExecutor().adapter);
  if (!run) return db.transaction().execute((trx) => withDirectStatements(trx, () => fn(trx)));
  return db.connection().execute(async (connection) => {
    run("begin", []);
    openTransactions.add(connection);
    try {
      const result = await fn(connection);
      run("commit", []);
      return result;
    } catch (error) {
      try {
        run("rollback", []);
      } catch {
        // Nothing to roll back (the failure ended the transaction); the first error is the one.
      }
      throw error;
    } finally {
      openTransactions.delete(connection);
    }
  });
}

/** Stands in for the i-th argument while the query is compiled once. */
class Slot {
  constructor(readonly index: number) {}
}

/** A query compiled once with Slots in place of its arguments: each run binds new values. */
export interface QueryTemplate {
  sql: string;
  query: RootOperationNode;
  parameters: readonly unknown[];
  /** [parameter position, argument index] */
  slots: Array<[number, number]>;
}

/**
 * Builds and compiles a query once with placeholders for its `arity` arguments. Every argument
 * must end up as a bound parameter (not in an IN list, whose length changes the SQL); a query
 * that does otherwise fails loudly here.
 */
export function compileTemplate(build: (args: readonly unknown[]) => Compilable<unknown>, arity: number): QueryTemplate {
  const placeholders = Array.from({ length: arity }, (_, i) => new Slot(i));
  const compiled = build(placeholders).compile();
  const slots: Array<[number, number]> = [];
  compiled.parameters.forEach((value, position) => {
    if (value instanceof Slot) slots.push([position, value.index]);
  });
  for (let i = 0; i < arity; i++) {
    if (!slots.some(([, index]) => index === i)) throw new Error(`prepared query: argument ${i} is not a bound parameter`);
  }
  return { sql: compiled.sql, query: compiled.query, parameters: compiled.parameters, slots };
}

let templateRuns = 0;

/** Runs a template with these arguments: directly on the connection inside withDirectStatements/readSnapshot, else through Kysely. */
export async function runTemplate<Row>(db: QueryRunner, template: QueryTemplate, args: readonly unknown[]): Promise<Row[]> {
  const parameters = template.parameters.slice();
  for (const [position, index] of template.slots) parameters[position] = args[index];
  if (openTransactions.has(db)) return syncRunners.get(db.getExecutor().adapter)!(template.sql, parameters) as Row[];
  const compiled: CompiledQuery<Row> = {
    sql: template.sql,
    query: template.query,
    parameters,
    queryId: { queryId: `prepared-${++templateRuns}` },
  };
  return (await db.executeQuery(compiled)).rows;
}

/**
 * A query of a fixed shape that Kysely builds and compiles once per dialect; each call only
 * binds new values. Building and compiling costs about as much as running a point lookup on
 * SQLite, and the hot reads (get by id, the properties of one resource) run it on every request.
 *
 * The arguments are bound parameters, never SQL text: the query is compiled with placeholder
 * objects in their place and each call puts the real values at the placeholders' parameter
 * positions (see compileTemplate).
 */
export function preparedQuery<DB, A extends unknown[], Row>(
  build: (db: Kysely<DB>, ...args: A) => Compilable<Row>,
): (db: Kysely<DB>, ...args: A) => Promise<Row[]> {
  // Keyed by the dialect's adapter class: the SQL only depends on the dialect.
  const templates = new Map<unknown, QueryTemplate>();
  return async (db, ...args) => {
    const key = db.getExecutor().adapter.constructor;
    let template = templates.get(key);
    if (template === undefined) {
      template = compileTemplate((slots) => build(db, ...(slots as A)), args.length);
      templates.set(key, template);
    }
    return runTemplate<Row>(db, template, args);
  };
}

/** Inserts of more rows than this are built each time (they are rare; it bounds the templates kept). */
const MAX_PREPARED_ROWS = 16;

/**
 * An INSERT of rows into one table, compiled once per dialect, column set and row count (the
 * writes of a registration: the version, its properties, the artifact, the events). The rows'
 * values are bound parameters, taken in the column order of the first row.
 */
export function preparedInsert<DB, T extends keyof DB & string>(table: T) {
  const byShape = new Map<string, (db: Kysely<DB>, ...values: unknown[]) => Promise<unknown[]>>();
  // The columns are the rows' own (their values are Slots while the template compiles): the
  // insert goes into the table seen as one of DynamicDatabase's, whose rows hold unknown values.
  const name: string = table;
  // (A query creator over the instance's own executor: what db.insertInto builds, with DynamicDatabase's tables.)
  const into = (db: Kysely<DB>, rows: ReadonlyArray<Record<string, unknown>>) =>
    new QueryCreator<DynamicDatabase>({ executor: db.getExecutor() }).insertInto(name).values(rows);
  return async (db: Kysely<DB>, typed: ReadonlyArray<Insertable<DB[T]>>): Promise<void> => {
    const rows: ReadonlyArray<Record<string, unknown>> = typed;
    if (rows.length === 0) return;
    if (rows.length > MAX_PREPARED_ROWS) {
      await into(db, rows).execute();
      return;
    }
    const columns = Object.keys(rows[0]!);
    const count = rows.length;
    const shape = `${count}:${columns.join(",")}`;
    let insert = byShape.get(shape);
    if (insert === undefined) {
      insert = preparedQuery((q: Kysely<DB>, ...values: unknown[]) => {
        const slotted = Array.from({ length: count }, (_, r) => Object.fromEntries(columns.map((c, i) => [c, values[r * columns.length + i]])));
        return into(q, slotted);
      });
      byShape.set(shape, insert);
    }
    const values: unknown[] = [];
    for (const row of rows) for (const column of columns) values.push(row[column]);
    await insert(db, ...values);
  };
}

/** The IN-list lengths that get a template: a list is padded up to the next one. Longer lists are built each time. */
const ID_LIST_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/**
 * A query over a list of ids (`where x in (...)`), compiled once per dialect and size class:
 * the list is padded to the next of ID_LIST_SIZES by repeating its last id (a repeated value
 * changes nothing in an IN list), so a page of 100 resources reuses the 128-slot statement
 * instead of building and compiling a fresh 100-parameter query (which costs more than running
 * it). An empty list returns no rows without a query.
 */
export function preparedIdsQuery<DB, Row>(
  build: (db: Kysely<DB>, ids: readonly number[]) => Compilable<Row>,
): (db: Kysely<DB>, ids: readonly number[]) => Promise<Row[]> {
  const bySize = new Map<number, (db: Kysely<DB>, ...ids: unknown[]) => Promise<Row[]>>();
  return async (db, ids) => {
    if (ids.length === 0) return [];
    const size = ID_LIST_SIZES.find((s) => s >= ids.length);
    if (size === undefined) return (await db.executeQuery(build(db, ids).compile())).rows;
    let query = bySize.get(size);
    if (query === undefined) {
      // The slots stand in for numbers while the query is compiled (see preparedQuery).
      query = preparedQuery((q: Kysely<DB>, ...slots: unknown[]) => build(q, slots as number[]));
      bySize.set(size, query);
    }
    const padded = ids.length === size ? ids : [...ids, ...Array<number>(size - ids.length).fill(ids.at(-1)!)];
    return query(db, ...padded);
  };
}
