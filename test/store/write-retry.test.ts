import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnavailableError } from "../../src/registry/core/errors.js";
import { Registry, unitOf } from "../../src/registry/shared/registry.js";
import type { StoreDialect } from "../../src/store/kysely/dialect.js";
import { KyselyRegistryStore } from "../../src/store/kysely/kysely-store.js";
import { migrateToLatest } from "../../src/store/kysely/migrate.js";
import { createDialect } from "../../src/store/kysely/open-store.js";
import { StoreError } from "../../src/registry/ports/store.js";
import { DIALECTS, type TestDatabase } from "../support/dialects.js";
import { rowCounts } from "../support/row-counts.js";
import { ctx, modelInput } from "./contract-fixtures.js";
import { insertModel } from "../../src/registry/models/models.js";

/**
 * KyselyRegistryStore.write retries a transaction that lost a serialisation race (SQLITE_BUSY,
 * Postgres 40001, 40P01, 55P03) with backoff, and gives up after maxWriteAttempts as
 * "unavailable" (UNAVAILABLE at the edge). The failure is injected inside the transaction,
 * after the write inserted its rows, by an error the real dialect classifies like its own
 * serialisation failures; the real engine commits and rolls back.
 */

/** Stands for the engine's serialisation failure. */
class InjectedConflict extends Error {
  override name = "InjectedConflict";
}

const MAX_ATTEMPTS = 4;

for (const dialect of DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] write retries`, () => {
    let db: TestDatabase | undefined;
    let store: KyselyRegistryStore | undefined;
    let registry: Registry;

    beforeAll(async () => {
      db = await dialect.create();
      const engine = await createDialect({ database: db.database, schema: db.schema, poolSize: 2 });
      await migrateToLatest(engine.db);
      const injecting: StoreDialect = {
        ...engine,
        classifyError: (error) =>
          error instanceof InjectedConflict
            ? new StoreError("serialization_failure", error.message, undefined, { cause: error })
            : engine.classifyError(error),
      };
      store = await KyselyRegistryStore.open(injecting, { maxWriteAttempts: MAX_ATTEMPTS, retryBaseMs: 1 });
      registry = new Registry(store);
    });
    afterAll(async () => {
      await store?.close();
      await db?.cleanup();
    });

    const revision = () => store!.read((r) => r.revision());

    /** A write that inserts a model and then throws `failure(attempt)` when it returns one; counts its attempts. */
    function failingWrite(name: string, failure: (attempt: number) => Error | undefined) {
      let attempts = 0;
      const done = unitOf(registry).write(async (w) => {
        attempts++;
        const model = await insertModel(registry, w, modelInput(name), ctx);
        const error = failure(attempts);
        if (error) throw error;
        return model;
      });
      return { done, attempts: () => attempts };
    }

    it("retries a write that hits serialisation failures and commits it once when they clear", async () => {
      const before = await rowCounts(store!);
      const start = await revision();
      const write = failingWrite("retried", (attempt) => (attempt < MAX_ATTEMPTS ? new InjectedConflict(`conflict ${attempt}`) : undefined));
      const model = await write.done;
      expect(write.attempts()).toBe(MAX_ATTEMPTS);
      expect(model.revision).toBe(start + 1);
      expect(await revision()).toBe(start + 1);
      expect(await rowCounts(store!)).toEqual({ ...before, registered_models: before.registered_models + 1, events: before.events + 1 });
    });

    it("gives up after maxWriteAttempts as unavailable, with nothing written", async () => {
      const before = await rowCounts(store!);
      const start = await revision();
      const write = failingWrite("never", (attempt) => new InjectedConflict(`conflict ${attempt}`));
      const error = await write.done.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnavailableError);
      expect((error as UnavailableError).cause).toMatchObject({ name: "StoreError", kind: "unavailable" });
      expect(write.attempts()).toBe(MAX_ATTEMPTS);
      expect(await revision()).toBe(start);
      expect(await rowCounts(store!)).toEqual(before);
    });

    it("does not retry a write that fails for any other reason", async () => {
      const before = await rowCounts(store!);
      const write = failingWrite("broken", () => new Error("a bug"));
      await expect(write.done).rejects.toThrow("a bug");
      expect(write.attempts()).toBe(1);
      expect(await rowCounts(store!)).toEqual(before);
    });
  });
}
