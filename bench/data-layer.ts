import SqliteDatabase from "better-sqlite3";
import { type CompiledQuery, Kysely, SqliteDialect } from "kysely";
import { VERSION_LIST } from "../src/registry/shared/list-specs.js";
import { prepareList } from "../src/registry/shared/list-query.js";
import type { ListQuery } from "../src/registry/ports/store.js";
import { KyselyReader } from "../src/store/kysely/kysely-reader.js";
import type { Database } from "../src/store/kysely/schema.js";
import { openStore } from "../src/store/kysely/open-store.js";
import { median } from "./stats.js";

/**
 * Goal 4, as its own process pinned to the server's core: data-layer reads (the store's read
 * transaction and reader, as GetModelVersion and ListModelVersions use them) against the very
 * same SQL statements run through raw better-sqlite3 prepared statements in a BEGIN/COMMIT.
 * The statements and their parameters are captured from the reader itself (a second reader
 * over a logging Kysely), so both sides run identical queries. Slices alternate (ABBA).
 */
export interface DataLayerCase {
  name: string;
  /** ops/s per slice, store side and raw side. */
  store: number[];
  raw: number[];
  /** µs per op, medians. */
  storeUs: number;
  rawUs: number;
  ratio: number;
  statements: number;
}

type Op = (i: number) => unknown;

async function opsPerSecond(op: Op, ms: number): Promise<number> {
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < ms) {
    for (let k = 0; k < 50; k++) await op(n++);
  }
  return n / ((performance.now() - started) / 1000);
}

async function compare(name: string, store: Op, raw: Op, statements: number, sliceMs: number, pairs: number): Promise<DataLayerCase> {
  await opsPerSecond(store, sliceMs);
  await opsPerSecond(raw, sliceMs);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      a.push(await opsPerSecond(store, sliceMs));
      b.push(await opsPerSecond(raw, sliceMs));
    } else {
      b.push(await opsPerSecond(raw, sliceMs));
      a.push(await opsPerSecond(store, sliceMs));
    }
  }
  return {
    name,
    store: a,
    raw: b,
    storeUs: 1e6 / median(a),
    rawUs: 1e6 / median(b),
    ratio: median(a.map((x, i) => x / b[i]!)),
    statements,
  };
}

export async function runDataLayer(path: string, versionIds: number[], sliceMs: number, pairs: number): Promise<DataLayerCase[]> {
  const store = await openStore({ database: `sqlite:${path}` });
  const rawDb = new SqliteDatabase(path);
  rawDb.defaultSafeIntegers(true);
  const captured: CompiledQuery[] = [];
  const logging = new Kysely<Database>({
    dialect: new SqliteDialect({ database: new SqliteDatabase(path, { readonly: true }) }),
    log: (event) => {
      if (event.level === "query") captured.push(event.query);
    },
  });
  const capture = async (fn: (reader: KyselyReader) => Promise<unknown>) => {
    captured.length = 0;
    await fn(new KyselyReader(logging));
    return captured.map((q) => ({ statement: rawDb.prepare(q.sql), parameters: [...q.parameters] }));
  };
  const begin = rawDb.prepare("begin");
  const commit = rawDb.prepare("commit");
  const replay = (list: Array<{ statement: ReturnType<typeof rawDb.prepare>; parameters: unknown[] }>) => {
    begin.run();
    for (const { statement, parameters } of list) statement.all(parameters);
    commit.run();
  };
  try {
    // Point read: what GetModelVersion reads (the version, its properties, aliases, lineage).
    const ids = versionIds.slice(0, 200);
    const pointPlans: Array<Awaited<ReturnType<typeof capture>>> = [];
    for (const id of ids) pointPlans.push(await capture((r) => r.getVersion(id)));
    const point = await compare(
      "GetModelVersion's read (store.read → getVersion)",
      (i) => store.read((r) => r.getVersion(ids[i % ids.length]!)),
      (i) => replay(pointPlans[i % pointPlans.length]!),
      pointPlans[0]!.length,
      sliceMs,
      pairs,
    );

    // List page: the filtered 100-item page of goal 2 (page query, then properties of the page).
    const prepared = prepareList(
      { pageSize: 100, pageToken: "", filter: "accuracy > 0.9", orderBy: "", showTotalSize: false },
      VERSION_LIST,
      store.tokenKey(),
      "registeredModels/-",
    );
    const query: ListQuery = prepared.query;
    const listPlan = await capture((r) => r.listVersions({}, query));
    const list = await compare(
      "ListModelVersions' read (store.read → listVersions, 100 rows)",
      () => store.read((r) => r.listVersions({}, query)),
      () => replay(listPlan),
      listPlan.length,
      sliceMs,
      pairs,
    );
    return [point, list];
  } finally {
    await logging.destroy();
    rawDb.close();
    await store.close();
  }
}

// As a child process: one request, one answer.
if (process.send) {
  process.on("message", (command: { id: number; path: string; versionIds: number[]; sliceMs: number; pairs: number }) => {
    runDataLayer(command.path, command.versionIds, command.sliceMs, command.pairs).then(
      (result) => process.send!({ id: command.id, result }, () => process.exit(0)),
      (error: unknown) => process.send!({ id: command.id, error: error instanceof Error ? error.stack : String(error) }, () => process.exit(1)),
    );
  });
  process.send({ ready: true });
}
