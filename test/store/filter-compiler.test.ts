import { randomBytes } from "node:crypto";
import SqliteDatabase from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FilterSchema } from "../../src/registry/filter/ast.js";
import { DEFAULT_FILTER_MAX_IN_VALUES, DEFAULT_FILTER_MAX_PROPERTY_COMPARISONS, parseFilter } from "../../src/registry/filter/parser.js";
import { compileFilter, type FilterTarget, JOINED_SUBQUERIES } from "../../src/store/kysely/sql/filter-compiler.js";
import { migration0001Init } from "../../src/store/kysely/migrations/0001-init.js";
import type { Database } from "../../src/store/kysely/schema.js";
import { worstLegalFilter } from "../support/worst-filter.js";
import { FILTER_CASES, FILTER_MODELS } from "../support/filter-cases.js";
import type { MetadataValue } from "../../src/registry/core/types.js";

/** Shaped like the registered model schema. */
const schema: FilterSchema = {
  attributes: {
    name: { name: "display_name", type: "string" },
    display_name: { name: "display_name", type: "string" },
    description: { name: "description", type: "string" },
    owner: { name: "owner", type: "string" },
    state: { name: "state", type: "enum", values: ["LIVE", "ARCHIVED"] },
    create_time: { name: "create_time", type: "time" },
    update_time: { name: "update_time", type: "time" },
    id: { name: "id", type: "int" },
  },
  labels: true,
};

const target: FilterTarget = {
  columns: {
    id: "t.id",
    display_name: "t.display_name",
    description: "t.description",
    owner: "t.owner",
    state: "t.state",
    create_time: "t.create_time",
    update_time: "t.update_time",
  },
  idColumn: "t.id",
};

/** The shared case table's models as rows: model n gets id n. */
async function seed(db: Kysely<Database>): Promise<void> {
  const none = { string_value: null, int_value: null, number_value: null, bool_value: null, struct_value: null };
  const columns = (value: MetadataValue) => {
    switch (value.type) {
      case "string":
        return { ...none, value_type: "string", string_value: value.value };
      case "int":
        return { ...none, value_type: "int", int_value: value.value, number_value: Number(value.value) };
      case "double":
        return { ...none, value_type: "double", number_value: value.value };
      case "bool":
        return { ...none, value_type: "bool", bool_value: value.value ? 1 : 0 };
      case "struct":
        return { ...none, value_type: "struct", struct_value: JSON.stringify(value.value) };
    }
  };
  const rows = FILTER_MODELS.map((m, i) => ({ ...m, id: i + 1, time: Date.parse(m.created) }));
  await db
    .insertInto("registered_models")
    .values(
      rows.map((m) => ({
        id: m.id,
        display_name: m.displayName,
        description: m.description,
        owner: m.owner,
        state: m.state,
        readme: "",
        create_time: m.time,
        update_time: m.time,
        revision: m.id,
      })),
    )
    .execute();
  await db
    .insertInto("properties")
    .values(rows.flatMap((m) => Object.entries(m.props).map(([key, value]) => ({ resource_id: m.id, key, ...columns(value) }))))
    .execute();
  await db
    .insertInto("labels")
    .values(rows.flatMap((m) => Object.entries(m.labels).map(([key, value]) => ({ resource_id: m.id, key, value }))))
    .execute();
}

interface Opened {
  db: Kysely<Database>;
  close(): Promise<void>;
}

function openSqlite(): Opened {
  const database = new SqliteDatabase(":memory:");
  database.defaultSafeIntegers(true);
  // As the store's connection has it (src/store/kysely/sqlite.ts): LIKE is case-sensitive, as on Postgres.
  database.pragma("case_sensitive_like = ON");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return { db, close: () => db.destroy() };
}

async function openPostgres(url: string): Promise<Opened> {
  const schemaName = `filter_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schemaName}`);
  const pool = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schemaName}` });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    async close() {
      await db.destroy();
      await admin.query(`DROP SCHEMA ${schemaName} CASCADE`);
      await admin.end();
    },
  };
}

/** Runs every case against one engine. */
function describeCases(open: () => Opened | Promise<Opened>) {
  let opened: Opened;
  beforeAll(async () => {
    opened = await open();
    await migration0001Init.up(opened.db);
    await seed(opened.db);
  });
  afterAll(async () => {
    await opened?.close();
  });

  const select = async (filter: string) => {
    const expr = parseFilter(filter, schema);
    if (!expr) throw new Error("empty filter");
    const rows = await opened.db.selectFrom("registered_models as t").select("t.id").where(compileFilter(expr, target)).orderBy("t.id").execute();
    return rows.map((r) => Number(r.id));
  };

  it.each(FILTER_CASES)("%s selects %j", async (filter, ids) => {
    expect(await select(filter)).toEqual(ids);
  });

  it("compiles the longest legal IN list to one SQL IN per column, not a chain of ORs", async () => {
    const values = Array.from({ length: DEFAULT_FILTER_MAX_IN_VALUES }, (_, i) => (i === 0 ? "'torch'" : String(i)));
    const expr = parseFilter(`framework IN (${values.join(", ")})`, schema);
    if (!expr) throw new Error("empty filter");
    const { sql } = opened.db.selectFrom("registered_models as t").select("t.id").where(compileFilter(expr, target)).compile();
    // strings, ints as int_value, ints as number_value; and value_type IN ('int', 'double') never appears for ints.
    expect(sql.match(/ in \(/gi)?.length).toBe(3);
    expect(sql.match(/ or /gi)?.length ?? 0).toBeLessThanOrEqual(2);
    expect(await select(`framework IN (${values.join(", ")})`)).toEqual([1]);
    expect(await select(`epochs IN (${Array.from({ length: DEFAULT_FILTER_MAX_IN_VALUES }, (_, i) => i + 1).join(", ")})`)).toEqual([1, 2]);
  });

  it("runs the worst legal filter: the most property comparisons, the longest IN list, the deepest nesting", async () => {
    expect(await select(worstLegalFilter())).toEqual([]);
    expect(await select(`${worstLegalFilter()} OR id = 3`)).toEqual([3]);
    expect(await select(worstLegalFilter({ prefix: "labels.k", quote: true }))).toEqual([]);
  });

  it(`keeps the first ${JOINED_SUBQUERIES} subqueries plain EXISTS and fences the rest from join planning`, () => {
    const expr = parseFilter(worstLegalFilter(), schema);
    if (!expr) throw new Error("empty filter");
    const { sql } = opened.db.selectFrom("registered_models as t").select("t.id").where(compileFilter(expr, target)).compile();
    expect(sql.match(/\bexists\b/gi)?.length).toBe(DEFAULT_FILTER_MAX_PROPERTY_COMPARISONS);
    expect(sql.match(/case when exists/gi)?.length).toBe(DEFAULT_FILTER_MAX_PROPERTY_COMPARISONS - JOINED_SUBQUERIES);
  });

  it("binds every value as a parameter", () => {
    const expr = parseFilter("name = 'alpha' AND labels.team = 'ml' AND accuracy > 0.5", schema);
    if (!expr) throw new Error("empty filter");
    const compiled = opened.db.selectFrom("registered_models as t").select("t.id").where(compileFilter(expr, target)).compile();
    expect(compiled.sql).not.toContain("alpha");
    expect(compiled.sql).not.toContain("'ml'");
    expect(compiled.sql).not.toContain("0.5");
    expect(compiled.parameters).toEqual(expect.arrayContaining(["alpha", "team", "ml", "accuracy", 0.5]));
  });
}

describe("compileFilter on SQLite", () => {
  describeCases(openSqlite);
});

describe.runIf(!!process.env.TEST_POSTGRES_URL)("compileFilter on Postgres", () => {
  describeCases(() => openPostgres(process.env.TEST_POSTGRES_URL as string));

  // An AND of n EXISTS becomes n semi-joins, whose join order Postgres searches: 200 of them took
  // 25 s to plan. Counting joins in the plan checks the bound without timing anything.
  it(`plans the worst legal filter with at most ${JOINED_SUBQUERIES} joins`, async () => {
    const opened = await openPostgres(process.env.TEST_POSTGRES_URL as string);
    try {
      await migration0001Init.up(opened.db);
      const expr = parseFilter(worstLegalFilter(), schema);
      if (!expr) throw new Error("empty filter");
      const query = opened.db.selectFrom("registered_models as t").select("t.id").where(compileFilter(expr, target)).orderBy("t.id").limit(51);
      const plan = JSON.stringify(await query.explain("json"));
      const joins = plan.match(/"Node Type":"(Nested Loop|Hash Join|Merge Join)"/g)?.length ?? 0;
      expect(JOINED_SUBQUERIES).toBeLessThan(DEFAULT_FILTER_MAX_PROPERTY_COMPARISONS);
      expect(joins).toBeLessThanOrEqual(JOINED_SUBQUERIES);
    } finally {
      await opened.close();
    }
  });
});
