import SqliteDatabase from "better-sqlite3";
import { openStore } from "../../src/store/open-store.js";
import { Registry } from "../../src/registry/registry.js";
const path = process.argv[2]!;
const store = await openStore({ database: `sqlite:${path}` });
const registry = new Registry(store);
const ids = (await store.read(async (r) => (await r.listVersions({}, { filter: null, sort: [{kind:"column",column:"create_time",desc:false}], after: null, limit: 1000, withTotal: false })).items.map(v => [v.modelId, v.id] as const)));
async function time(name: string, n: number, fn: (i: number) => Promise<unknown> | unknown) {
  for (let i = 0; i < 2000; i++) await fn(i);
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const us = ((performance.now() - t) * 1000) / n;
  console.log(`${name}: ${us.toFixed(1)} us/op, ${(1e6 / us).toFixed(0)}/s`);
}
await time("store.read getVersion", 20000, (i) => store.read((r) => r.getVersion(ids[i % ids.length]![1])));
await time("store.read getModel", 20000, (i) => store.read((r) => r.getModel(ids[i % ids.length]![0])));
await time("registry.getVersion", 20000, (i) => registry.getVersion({ model: { id: ids[i % ids.length]![0] }, selector: { kind: "id", id: ids[i % ids.length]![1] } }));
const raw = new SqliteDatabase(path);
raw.defaultSafeIntegers(true);
const s1 = raw.prepare('select "t".*, "m"."display_name" as "model_display_name" from "model_versions" as "t" inner join "registered_models" as "m" on "m"."id" = "t"."model_id" where "t"."id" = ?');
const s2 = raw.prepare('select * from "properties" where "resource_id" in (?) order by "key"');
const b = raw.prepare("begin"); const c = raw.prepare("commit");
await time("raw getVersion (2 stmts + tx)", 50000, (i) => { b.run(); s1.all(ids[i % ids.length]![1]); s2.all(ids[i % ids.length]![1]); c.run(); });
await time("raw getVersion (2 stmts)", 50000, (i) => { s1.all(ids[i % ids.length]![1]); s2.all(ids[i % ids.length]![1]); });
await time("raw prepare+run", 50000, (i) => { raw.prepare('select "t".*, "m"."display_name" as "model_display_name" from "model_versions" as "t" inner join "registered_models" as "m" on "m"."id" = "t"."model_id" where "t"."id" = ?').all(ids[i % ids.length]![1]); });
await store.close();
