import { randomBytes } from "node:crypto";
import SqliteDatabase from "better-sqlite3";
import { type CompiledQuery, Kysely, type LogEvent, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareList } from "../../src/registry/shared/list-query.js";
import { type ListSpec, MODEL_LIST, VERSION_LIST } from "../../src/registry/shared/list-specs.js";
import type { ListRequest } from "../../src/registry/core/types.js";
import type { ListQuery, ListResult } from "../../src/registry/ports/store.js";
import { KyselyReader } from "../../src/store/kysely/kysely-reader.js";
import { migrateToLatest } from "../../src/store/kysely/migrate.js";
import type { Database } from "../../src/store/kysely/schema.js";
import { dropSchema, POSTGRES_URL } from "../support/dialects.js";

/**
 * The main list shapes must be index range scans: the page's rows come from an index in the
 * requested order (no sort of the whole table), and a keyset page starts the index range at its
 * cursor (page n costs the same as page 1). Checked on the plans of the SQL the reader really
 * sends, over the real migrations, with a few thousand rows (Postgres after ANALYZE, so that
 * its planner costs real statistics; SQLite without, as it runs in production).
 */

const MODELS = 3000;
const MODELS_WITH_VERSIONS = 50;
const VERSIONS = 5000;

interface Shape {
  name: string;
  list: (reader: KyselyReader, query: ListQuery) => Promise<ListResult<unknown>>;
  spec: ListSpec;
  request: Partial<ListRequest>;
  /** The listed table (aliased t). */
  table: "registered_models" | "model_versions";
  /** The first sort column: a keyset page must bound it in the index range. */
  sortColumn: string;
  /** Whether the index must also deliver the order (no sort step). */
  ordered: boolean;
}

const SHAPES: Shape[] = [
  {
    name: "registered models by create_time (the default order)",
    list: (r, q) => r.listModels(q),
    spec: MODEL_LIST,
    request: {},
    table: "registered_models",
    sortColumn: "create_time",
    ordered: true,
  },
  {
    name: "registered models by update_time desc",
    list: (r, q) => r.listModels(q),
    spec: MODEL_LIST,
    request: { orderBy: "update_time desc" },
    table: "registered_models",
    sortColumn: "update_time",
    ordered: true,
  },
  {
    name: "registered models by display_name",
    list: (r, q) => r.listModels(q),
    spec: MODEL_LIST,
    request: { orderBy: "display_name" },
    table: "registered_models",
    sortColumn: "display_name",
    ordered: true,
  },
  {
    name: "versions of one model by create_time",
    list: (r, q) => r.listVersions({ modelId: 7 }, q),
    spec: VERSION_LIST,
    request: {},
    table: "model_versions",
    sortColumn: "create_time",
    ordered: true,
  },
  {
    name: "versions of one model with accuracy > 0.95",
    list: (r, q) => r.listVersions({ modelId: 7 }, q),
    spec: VERSION_LIST,
    request: { filter: "accuracy > 0.95" },
    table: "model_versions",
    sortColumn: "create_time",
    ordered: false,
  },
  {
    name: "versions of every model with accuracy > 0.95",
    list: (r, q) => r.listVersions({}, q),
    spec: VERSION_LIST,
    request: { filter: "accuracy > 0.95" },
    table: "model_versions",
    sortColumn: "create_time",
    ordered: false,
  },
];

interface Engine {
  db: Kysely<Database>;
  /** Plan lines of a statement. */
  explain(query: CompiledQuery): Promise<string[]>;
  close(): Promise<void>;
}

/** A Kysely instance that records every statement it sends, for EXPLAIN. */
function recording(): { sent: CompiledQuery[]; log: (event: LogEvent) => void } {
  const sent: CompiledQuery[] = [];
  return { sent, log: (event) => event.level === "query" && void sent.push(event.query) };
}

function openSqlite(log: (event: LogEvent) => void): Engine {
  const database = new SqliteDatabase(":memory:");
  database.defaultSafeIntegers(true);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }), log });
  return {
    db,
    explain: async (q) =>
      database
        .prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
        .all(...(q.parameters as unknown[]))
        .map((row) => (row as { detail: string }).detail),
    close: () => db.destroy(),
  };
}

async function openPostgres(log: (event: LogEvent) => void): Promise<Engine> {
  const schema = `explain_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1, options: `-c search_path=${schema}` });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
  return {
    db,
    explain: async (q) =>
      (await pool.query(`EXPLAIN ${q.sql}`, q.parameters as unknown[])).rows.map((row: Record<string, string>) => row["QUERY PLAN"]!),
    async close() {
      await db.destroy();
      await dropSchema(schema);
    },
  };
}

/** Models 1..3000 a second apart (update times shuffled); 100 versions each for models 1..50, each with an accuracy. */
async function seed(db: Kysely<Database>): Promise<void> {
  const t0 = Date.parse("2025-01-01T00:00:00Z");
  const models = Array.from({ length: MODELS }, (_, i) => ({
    id: i + 1,
    display_name: `model-${String((i * 7919) % MODELS).padStart(5, "0")}`,
    description: "",
    owner: "",
    state: "LIVE",
    readme: "",
    create_time: t0 + i * 1000,
    update_time: t0 + ((i * 7919) % MODELS) * 1000,
    revision: i + 1,
  }));
  const versions = Array.from({ length: VERSIONS }, (_, i) => ({
    id: MODELS + 1 + i,
    model_id: (i % MODELS_WITH_VERSIONS) + 1,
    version: `v${i}`,
    description: "",
    author: "",
    state: "LIVE",
    create_time: t0 + i * 1000,
    update_time: t0 + i * 1000,
    revision: MODELS + 1 + i,
  }));
  const properties = versions.map((v, i) => ({
    resource_id: v.id,
    key: "accuracy",
    value_type: "double",
    string_value: null,
    int_value: null,
    number_value: 0.8 + ((i * 37) % 200) / 1000,
    bool_value: null,
    struct_value: null,
  }));
  for (let i = 0; i < MODELS; i += 500)
    await db
      .insertInto("registered_models")
      .values(models.slice(i, i + 500))
      .execute();
  for (let i = 0; i < VERSIONS; i += 500) {
    await db
      .insertInto("model_versions")
      .values(versions.slice(i, i + 500))
      .execute();
    await db
      .insertInto("properties")
      .values(properties.slice(i, i + 500))
      .execute();
  }
}

/** The first page's statement and a keyset page's statement of a shape. */
async function statements(engine: Engine, sent: CompiledQuery[], shape: Shape) {
  const reader = new KyselyReader(engine.db);
  const request: ListRequest = { pageSize: 7, pageToken: "", filter: "", orderBy: "", showTotalSize: false, ...shape.request };
  const { query } = prepareList(request, shape.spec, Buffer.alloc(32));
  sent.length = 0;
  const first = await shape.list(reader, query);
  const firstPage = sent[0]!;
  expect(first.next, "the shape has a second page").not.toBeNull();
  sent.length = 0;
  await shape.list(reader, { ...query, after: first.next });
  return { firstPage, keysetPage: sent[0]! };
}

const ENGINES = [
  { name: "sqlite", enabled: true, open: openSqlite },
  { name: "postgres", enabled: POSTGRES_URL !== "", open: openPostgres },
] as const;

for (const engineSpec of ENGINES) {
  describe.runIf(engineSpec.enabled)(`[${engineSpec.name}] list query plans`, () => {
    const { sent, log } = recording();
    let engine: Engine;
    beforeAll(async () => {
      engine = await engineSpec.open(log);
      await migrateToLatest(engine.db);
      await seed(engine.db);
      if (engineSpec.name === "postgres") await sql`analyze`.execute(engine.db);
    }, 30_000);
    afterAll(() => engine?.close());

    for (const shape of SHAPES) {
      it(`reads ${shape.name} through an index`, async () => {
        const { firstPage, keysetPage } = await statements(engine, sent, shape);
        for (const [page, q] of [
          ["first page", firstPage],
          ["keyset page", keysetPage],
        ] as const) {
          const plan = await engine.explain(q);
          const shown = `${page} of ${shape.name}:\n${plan.join("\n")}`;
          if (engineSpec.name === "sqlite") assertSqlitePlan(plan, shape, page === "keyset page", shown);
          else assertPostgresPlan(plan, shape, page === "keyset page", shown);
        }
      });
    }
  });
}

/** SQLite: no table SCAN without an index; ordered shapes need no temp b-tree; keyset pages SEARCH from the cursor. */
function assertSqlitePlan(plan: string[], shape: Shape, keyset: boolean, shown: string): void {
  for (const line of plan) expect(line, shown).not.toMatch(/^SCAN \S+$/);
  if (shape.ordered) expect(plan.join("\n"), shown).not.toContain("USE TEMP B-TREE FOR ORDER BY");
  const main = plan.find((line) => / t( |$)/.test(line)) ?? "";
  expect(main, shown).toMatch(/^(SCAN|SEARCH) t USING (COVERING )?INDEX /);
  if (keyset) expect(main, shown).toMatch(new RegExp(`^SEARCH t USING (COVERING )?INDEX \\S+ \\(.*${shape.sortColumn}[<>]`));
}

/** Postgres: no sequential scan; the listed table read through an index; ordered shapes need no full sort; keyset pages bound the index range. */
function assertPostgresPlan(plan: string[], shape: Shape, keyset: boolean, shown: string): void {
  const text = plan.join("\n");
  expect(text, shown).not.toMatch(/Seq Scan/);
  expect(text, shown).toMatch(
    new RegExp(`(Index Scan( Backward)?|Index Only Scan( Backward)?) using \\S+ on ${shape.table} t|Bitmap Heap Scan on ${shape.table} t`),
  );
  if (shape.ordered) {
    // An Incremental Sort over an index's presorted prefix (display_name, then id) is fine.
    expect(text, shown).not.toMatch(/(^|->)\s*Sort\s+\(/m);
    if (keyset) expect(text, shown).toMatch(new RegExp(`Index Cond: .*${shape.sortColumn} [<>]=`));
  }
}
