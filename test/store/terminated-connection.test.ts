import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RegistryStore } from "../../src/registry/ports/store.js";
import { openStore } from "../../src/store/kysely/open-store.js";
import { ensurePostgresSchema } from "../../src/store/kysely/postgres.js";
import { dropSchema, POSTGRES_URL } from "../support/dialects.js";
import { postgresUrlWithSchema } from "../support/process.js";

/**
 * A backend that dies between the statements of a transaction: pg-pool lends its clients without
 * an error listener, so the client's 'error' event would kill the process. The store hears it; the
 * transaction fails as unavailable and the store serves the next one on a new connection.
 */
describe.runIf(POSTGRES_URL !== "")("[postgres] a connection terminated inside a transaction", () => {
  const schema = `test_term_${randomBytes(4).toString("hex")}`;
  const applicationName = `mr_term_${randomBytes(4).toString("hex")}`;
  let store: RegistryStore;

  beforeAll(async () => {
    await ensurePostgresSchema(POSTGRES_URL, schema);
    store = await openStore({ database: postgresUrlWithSchema(POSTGRES_URL, schema, { applicationName }), poolSize: 2 });
  });
  afterAll(async () => {
    await store?.close();
    await dropSchema(schema);
  });

  it("fails that transaction as unavailable, without an unhandled error, and serves the next", async () => {
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      const failed = await store
        .write(async (w) => {
          await w.revision();
          await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [applicationName]);
          // Between statements: the client is lent out, and its backend is gone.
          await sleep(300);
          return w.getModel(1);
        })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(failed).toBeInstanceOf(Error);
      expect(String(failed)).toMatch(/terminat|not queryable|Connection/i);
    } finally {
      await admin.end();
    }
    expect(await store.read((r) => r.revision())).toBeGreaterThanOrEqual(0);
  }, 20_000);
});
