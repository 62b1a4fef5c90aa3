import { sql } from "kysely";
import { createSqliteDialect } from "../../src/store/kysely/sqlite.js";
const path = process.argv[2]!;
const d = createSqliteDialect({ path });
const db = d.db;
async function time(name: string, n: number, fn: (i: number) => Promise<unknown> | unknown) {
  for (let i = 0; i < 2000; i++) await fn(i);
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const us = ((performance.now() - t) * 1000) / n;
  console.log(`${name}: ${us.toFixed(2)} us/op`);
}
const q = (id: number) => db.selectFrom("model_versions as t").innerJoin("registered_models as m", "m.id", "t.model_id").selectAll("t").select("m.display_name as model_display_name").where("t.id", "=", id);
await time("build", 50000, (i) => q(i));
await time("build+compile", 50000, (i) => q(i).compile());
const c = q(20).compile();
await time("executeQuery(compiled)", 50000, () => db.executeQuery(c));
await time("build+compile+execute", 50000, (i) => q(20 + (i % 100)).execute());
await time("transaction empty", 50000, () => db.transaction().execute(async () => 1));
await time("transaction w/ executeQuery", 50000, () => db.transaction().execute(async (t) => t.executeQuery(c)));
await time("connection() w/ executeQuery", 50000, () => db.connection().execute(async (t) => t.executeQuery(c)));
await time("raw sql select 1", 50000, () => sql`select 1`.execute(db));
