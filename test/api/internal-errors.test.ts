import SqliteDatabase from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { DIALECTS, type TestDatabase } from "../support/dialects.js";
import { KubeflowApi } from "../rest/support/kubeflow-api.js";
import { failure } from "../support/errors.js";
import { PROTOCOLS, startTestServer, type TestServer } from "../support/server.js";

/**
 * An error nobody classified (here a driver error: the schema lost a column behind the server's
 * back) reaches the client as INTERNAL "internal error", with no database text and no details,
 * and its cause is logged; the Kubeflow REST gateway answers the same row of the error table
 * (src/api/shared/error-table.ts): 500 "internal error", its cause logged. Needs a database another connection can alter:
 * a SQLite file, or Postgres.
 */

/** Runs DDL on the test database from a connection of its own. */
async function alter(db: TestDatabase, statement: string): Promise<void> {
  if (db.database.startsWith("sqlite:")) {
    const sqlite = new SqliteDatabase(db.database.slice("sqlite:".length));
    try {
      sqlite.exec(statement);
    } finally {
      sqlite.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: db.database, options: `-c search_path=${db.schema}` });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

for (const dialect of DIALECTS.filter((d) => d.name !== "sqlite-memory")) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] unexpected errors`, () => {
    let server: TestServer;
    const logged: string[] = [];
    beforeAll(async () => {
      server = await startTestServer(dialect, undefined, { logger: createLogger("error", (line) => logged.push(line)) });
      await alter(server.db, "ALTER TABLE registered_models RENAME COLUMN owner TO owner_gone");
    });
    afterAll(async () => {
      await alter(server.db, "ALTER TABLE registered_models RENAME COLUMN owner_gone TO owner");
      await server?.close();
    });

    for (const protocol of PROTOCOLS) {
      it(`answers INTERNAL "internal error" without database text and logs the cause, over ${protocol}`, async () => {
        logged.length = 0;
        const displayName = `broken-${protocol}`;
        const { error, code, reason, fields } = await failure(server.client(protocol).createRegisteredModel({ registeredModel: { displayName } }));
        expect(code).toBe("Internal");
        expect(error.rawMessage).toBe("internal error");
        expect(error.details).toEqual([]);
        expect(reason).toBe("");
        expect(fields).toEqual([]);
        const entries = logged.map((line) => JSON.parse(line) as { msg: string; procedure?: string; err?: { message: string } });
        const entry = entries.find((e) => e.msg === "internal error");
        expect(entry, logged.join("")).toMatchObject({ procedure: "CreateRegisteredModel" });
        // The log has what the client did not get: the driver's own words about the column.
        expect(entry?.err?.message).toMatch(/owner/);
      });
    }

    it('answers 500 "internal error" without database text over the REST gateway and logs the cause', async () => {
      logged.length = 0;
      const res = await new KubeflowApi(server.url).call("createRegisteredModel", { body: { name: "broken-rest" } });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ code: "Internal Server Error", message: "internal error" });
      expect(res.reason).toBe("INTERNAL");
      const entries = logged.map((line) => JSON.parse(line) as { msg: string; route?: string; err?: { message: string } });
      const entry = entries.find((e) => e.msg === "internal error");
      expect(entry?.route, logged.join("")).toMatch(/registered_models/);
      expect(entry?.err?.message).toMatch(/owner/);
    });
  });
}
