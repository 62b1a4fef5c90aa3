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

const day = (iso: string) => Date.parse(iso);

/** Four models; 2 and 3 hold the "same" accuracy 10 as a double and as an int. */
async function seed(db: Kysely<Database>): Promise<void> {
  const model = (id: number, display_name: string, description: string, owner: string, state: string, created: string) => ({
    id,
    display_name,
    description,
    owner,
    state,
    readme: "",
    create_time: day(created),
    update_time: day(created),
    revision: id,
  });
  await db
    .insertInto("registered_models")
    .values([
      model(1, "alpha", "first model", "alice", "LIVE", "2024-01-01T00:00:00Z"),
      model(2, "Beta", "second", "bob", "ARCHIVED", "2024-02-01T00:00:00Z"),
      model(3, "gamma", "", "", "LIVE", "2024-03-01T00:00:00Z"),
      model(4, "delta", "fourth", "alice", "LIVE", "2024-04-01T00:00:00Z"),
    ])
    .execute();
  const none = { string_value: null, int_value: null, number_value: null, bool_value: null, struct_value: null };
  const str = (resource_id: number, key: string, value: string) => ({ ...none, resource_id, key, value_type: "string", string_value: value });
  const int = (resource_id: number, key: string, value: bigint) => ({
    ...none,
    resource_id,
    key,
    value_type: "int",
    int_value: value,
    number_value: Number(value),
  });
  const dbl = (resource_id: number, key: string, value: number) => ({ ...none, resource_id, key, value_type: "double", number_value: value });
  const bool = (resource_id: number, key: string, value: boolean) => ({ ...none, resource_id, key, value_type: "bool", bool_value: value ? 1 : 0 });
  await db
    .insertInto("properties")
    .values([
      dbl(1, "accuracy", 0.95),
      int(1, "epochs", 10n),
      str(1, "framework", "torch"),
      bool(1, "deployed", true),
      int(1, "big", 9007199254740993n),
      dbl(2, "accuracy", 10),
      int(2, "epochs", 20n),
      str(2, "framework", "TensorFlow"),
      bool(2, "deployed", false),
      int(3, "accuracy", 10n),
      str(3, "framework", "10"),
      str(3, "my.key", "dotted"),
      { ...none, resource_id: 4, key: "config", value_type: "struct", struct_value: "{}" },
    ])
    .execute();
  await db
    .insertInto("labels")
    .values([
      { resource_id: 1, key: "team", value: "ml" },
      { resource_id: 1, key: "env", value: "prod" },
      { resource_id: 2, key: "team", value: "infra" },
      { resource_id: 3, key: "team", value: "ml-ops" },
    ])
    .execute();
}

/** filter -> the ids it must select, on every engine. */
const CASES: [string, number[]][] = [
  // untyped numbers match ints and doubles alike
  ["accuracy = 10", [2, 3]],
  ["accuracy = 10.0", [2, 3]],
  ["accuracy > 0.9", [1, 2, 3]],
  ["accuracy IN (10, 0.95)", [1, 2, 3]],
  ["epochs < 15", [1]],
  ["epochs != 10", [2]],
  ["epochs IN (10, 20)", [1, 2]],
  // an IN list mixing kinds of literals tests each kind against its own column
  ["framework IN ('10', 10, 'torch', TRUE)", [1, 3]],
  ["deployed IN (FALSE, 'x', 3.5)", [2]],
  ["accuracy IN ('x', 10, 0.95)", [1, 2, 3]],
  ["epochs.int_value IN (20, 30)", [2]],
  ["big = 9007199254740993", [1]],
  ["big = 9007199254740992", []],
  // typed suffixes restrict the stored type
  ["accuracy.double_value > 0.9", [1, 2]],
  ["accuracy.int_value = 10", [3]],
  ["custom_properties.accuracy.double_value >= 10", [2]],
  ["accuracy.string_value IS NOT NULL", []],
  // strings never equal numbers
  ["framework = '10'", [3]],
  ["framework = 10", []],
  ["framework LIKE '%orch'", [1]],
  ["framework ILIKE 'tensor%'", [2]],
  ["`my.key` = 'dotted'", [3]],
  ["`my.key`.string_value = 'dotted'", [3]],
  // booleans
  ["deployed = TRUE", [1]],
  ["deployed.bool_value = false", [2]],
  ["deployed != TRUE", [2]],
  // missing properties
  ["accuracy IS NULL", [4]],
  ["accuracy IS NOT NULL", [1, 2, 3]],
  ["accuracy.double_value IS NULL", [3, 4]],
  ["config IS NOT NULL", [4]],
  ["NOT epochs = 10", [2, 3, 4]],
  // labels
  ["labels.team = 'ml'", [1]],
  ["labels.team LIKE 'ml%'", [1, 3]],
  ["labels.team != 'ml'", [2, 3]],
  ["labels.env IS NULL", [2, 3, 4]],
  ["labels.env IS NOT NULL", [1]],
  ["labels.team IN ('ml', 'infra')", [1, 2]],
  // attributes
  ["name = 'alpha'", [1]],
  ["name LIKE 'al%'", [1]],
  ["name ILIKE 'b%'", [2]],
  ["state = 'archived'", [2]],
  ["state != 'STATE_LIVE'", [2]],
  ["state IN ('LIVE')", [1, 3, 4]],
  ["owner IS NULL", [3]],
  ["description IS NOT NULL", [1, 2, 4]],
  ["id IN (1, 3)", [1, 3]],
  ["id > 2", [3, 4]],
  ["name = 'x\\' OR 1=1 --'", []],
  // times
  ["create_time >= '2024-02-01T00:00:00Z'", [2, 3, 4]],
  ["create_time < '2024-02-01T01:00:00+02:00'", [1]],
  ["create_time = 1704067200000", [1]],
  // nesting
  ["owner = 'alice' OR owner = 'bob' AND state = 'LIVE'", [1, 4]],
  ["(labels.team = 'ml' OR owner = 'bob') AND NOT state = 'ARCHIVED'", [1]],
  ["NOT (accuracy > 5 OR framework = 'torch')", [4]],
  ["NOT (NOT labels.team LIKE 'ml%' AND epochs IS NULL)", [1, 2, 3]],
];

interface Opened {
  db: Kysely<Database>;
  close(): Promise<void>;
}

function openSqlite(): Opened {
  const database = new SqliteDatabase(":memory:");
  database.defaultSafeIntegers(true);
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

  it.each(CASES)("%s selects %j", async (filter, ids) => {
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
