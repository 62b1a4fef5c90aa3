import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Kysely, sql } from "kysely";
import { createDialect } from "../../src/store/kysely/open-store.js";
import type { StoreDialect } from "../../src/store/kysely/dialect.js";
import { preparedIdsQuery } from "../../src/store/kysely/sql/prepared-query.js";
import { DIALECTS, type TestDatabase } from "../support/dialects.js";

/**
 * preparedIdsQuery pads an IN list to a size class by repeating its last id: the rows must be
 * exactly those of the ids asked for, once each, whatever the list's length, order or repeats,
 * including lists longer than the largest class (built each time).
 */
for (const dialect of DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] preparedIdsQuery`, () => {
    let database: TestDatabase;
    let store: StoreDialect;
    const byIds = preparedIdsQuery((db: Kysely<any>, ids: readonly number[]) =>
      db.selectFrom("ids_probe").select("id").where("id", "in", ids).orderBy("id"),
    );
    const run = async (ids: number[]) => ((await byIds(store.db, ids)) as Array<{ id: unknown }>).map((r) => Number(r.id));

    beforeAll(async () => {
      database = await dialect.create();
      store = await createDialect({ database: database.database, ...(database.schema ? { schema: database.schema } : {}) });
      await sql`create table ids_probe (id bigint primary key)`.execute(store.db);
      for (let i = 1; i <= 1500; i += 500) {
        const rows = Array.from({ length: 500 }, (_, k) => ({ id: i + k }));
        await (store.db as Kysely<any>).insertInto("ids_probe").values(rows).execute();
      }
    });
    afterAll(async () => {
      await store?.db.destroy();
      await database?.cleanup();
    });

    it("returns nothing for no ids, without a query", async () => {
      expect(await run([])).toEqual([]);
    });

    it("returns each asked-for row once for every list length up to past the largest size class", async () => {
      for (const n of [1, 2, 3, 5, 7, 8, 9, 100, 128, 129, 1024, 1025, 1500]) {
        const ids = Array.from({ length: n }, (_, i) => 1500 - i * Math.floor(1500 / n));
        expect(await run(ids)).toEqual([...new Set(ids)].sort((a, b) => a - b));
      }
    });

    it("ignores repeated and missing ids", async () => {
      expect(await run([7, 7, 3, 99_999, 3, 12])).toEqual([3, 7, 12]);
    });
  });
}
