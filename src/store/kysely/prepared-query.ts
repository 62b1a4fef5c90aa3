import type { Compilable, CompiledQuery, Kysely, RootOperationNode } from "kysely";

/** Stands in for the i-th argument while the query is compiled once. */
class Slot {
  constructor(readonly index: number) {}
}

interface Template {
  sql: string;
  query: RootOperationNode;
  parameters: readonly unknown[];
  /** [parameter position, argument index] */
  slots: Array<[number, number]>;
}

/**
 * A query of a fixed shape that Kysely builds and compiles once per dialect; each call only
 * binds new values. Building and compiling costs about as much as running a point lookup on
 * SQLite, and the hot reads (get by id, the properties of one resource) run it on every request.
 *
 * The arguments are bound parameters, never SQL text: the query is compiled with placeholder
 * objects in their place and each call puts the real values at the placeholders' parameter
 * positions. Every argument must be used as a plain value (not in an IN list, whose length
 * changes the SQL); a query that does otherwise fails loudly on first use.
 */
export function preparedQuery<DB, A extends unknown[], Row>(
  build: (db: Kysely<DB>, ...args: A) => Compilable<Row>,
): (db: Kysely<DB>, ...args: A) => Promise<Row[]> {
  // Keyed by the dialect's adapter class: the SQL only depends on the dialect.
  const templates = new Map<unknown, Template>();
  let calls = 0;
  return async (db, ...args) => {
    const key = db.getExecutor().adapter.constructor;
    let template = templates.get(key);
    if (template === undefined) {
      template = compileTemplate(db, build, args.length);
      templates.set(key, template);
    }
    const parameters = template.parameters.slice();
    for (const [position, index] of template.slots) parameters[position] = args[index];
    const compiled: CompiledQuery<Row> = {
      sql: template.sql,
      query: template.query,
      parameters,
      queryId: { queryId: `prepared-${++calls}` },
    };
    return (await db.executeQuery(compiled)).rows;
  };
}

function compileTemplate<DB, A extends unknown[], Row>(
  db: Kysely<DB>,
  build: (db: Kysely<DB>, ...args: A) => Compilable<Row>,
  arity: number,
): Template {
  const placeholders = Array.from({ length: arity }, (_, i) => new Slot(i)) as unknown as A;
  const compiled = build(db, ...placeholders).compile();
  const slots: Array<[number, number]> = [];
  compiled.parameters.forEach((value, position) => {
    if (value instanceof Slot) slots.push([position, value.index]);
  });
  for (let i = 0; i < arity; i++) {
    if (!slots.some(([, index]) => index === i)) throw new Error(`prepared query: argument ${i} is not a bound parameter`);
  }
  return { sql: compiled.sql, query: compiled.query, parameters: compiled.parameters, slots };
}
