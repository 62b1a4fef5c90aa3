import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withCallBounds } from "../../src/registry/shared/call-scope.js";
import { DeadlineExceededError } from "../../src/registry/core/errors.js";
import { Registry, unitOf } from "../../src/registry/shared/registry.js";
import { openStore } from "../../src/store/kysely/open-store.js";
import { type CallBounds, type RegistryStore, StoreError } from "../../src/registry/ports/store.js";
import { DIALECTS, POSTGRES_URL, type TestDatabase } from "../support/dialects.js";
import { holdTableLock, holdWriteLock } from "../support/postgres-locks.js";
import { postgresUrlWithSchema } from "../support/process.js";
import { ctx, listRequest, modelInput } from "./contract-fixtures.js";
import { insertModel } from "../../src/registry/models/models.js";
import { listVersions } from "../../src/registry/versions/versions.js";

/**
 * A call's bounds (its signal and deadline, src/registry/call-scope.ts) reach the database: no
 * transaction begins after the call ended, a queued write whose call ended is dropped, and on
 * Postgres a read stops at its deadline or when its call is cancelled, however long its query
 * would have run. Liveness checks with generous bounds, never timing assertions.
 */
for (const dialect of DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] call bounds`, () => {
    const applicationName = `mr_bounds_${randomBytes(4).toString("hex")}`;
    let db: TestDatabase;
    let store: RegistryStore;
    let registry: Registry;
    beforeAll(async () => {
      db = await dialect.create();
      const database = db.schema ? postgresUrlWithSchema(db.database, db.schema, { applicationName }) : db.database;
      store = await openStore({ database, schema: db.schema, poolSize: 4 });
      registry = new Registry(store);
    });
    afterAll(async () => {
      await store?.close();
      await db?.cleanup();
    });

    const revision = () => unitOf(registry).read((r) => r.revision());
    const exists = async (name: string) => (await unitOf(registry).read((r) => r.getModelByDisplayName(name))) !== undefined;
    const bounded = <T>(bounds: CallBounds, fn: () => Promise<T>) => withCallBounds(bounds, fn);
    /** A write that creates a model, waiting for `gate` (if any) after its insert and before its commit. */
    const create = (name: string, gate?: Promise<void>) =>
      unitOf(registry).write(async (w) => {
        const model = await insertModel(registry, w, modelInput(name), ctx);
        await gate;
        return model;
      });

    it("refuses a read and a write whose call already ended, before any transaction", async () => {
      const before = await revision();
      const cancelled = AbortSignal.abort(new DeadlineExceededError("test deadline"));
      await expect(bounded({ signal: cancelled }, () => revision())).rejects.toThrow("test deadline");
      await expect(bounded({ deadline: Date.now() - 1 }, () => create("late"))).rejects.toBeInstanceOf(DeadlineExceededError);
      await expect(bounded({ signal: cancelled }, () => create("cancelled"))).rejects.toThrow("test deadline");
      expect(await revision()).toBe(before);
      expect(await exists("late")).toBe(false);
    });

    it("drops a write whose call ends while it waits behind a running group, and commits the others", async () => {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const first = create("holds-the-group", gate);
      // Let the first group start, so the next writes queue behind it.
      await new Promise((r) => setImmediate(r));
      const call = new AbortController();
      const dropped = bounded({ signal: call.signal }, () => create("dropped"));
      const kept = create("kept");
      dropped.catch(() => {});
      call.abort(new DeadlineExceededError("cancelled while queued"));
      open();
      await expect(dropped).rejects.toThrow("cancelled while queued");
      await Promise.all([first, kept]);
      expect(await exists("dropped")).toBe(false);
      expect(await exists("kept")).toBe(true);
    });

    it("undoes a write whose call ends while it runs, and keeps the group's other writes", async () => {
      const call = new AbortController();
      const results = await Promise.allSettled([
        create("before-undone"),
        bounded({ signal: call.signal }, () =>
          unitOf(registry).write(async (w) => {
            await insertModel(registry, w, modelInput("undone"), ctx);
            call.abort(new DeadlineExceededError("ended mid-write"));
          }),
        ),
        create("after-undone"),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect(await exists("undone")).toBe(false);
      expect(await exists("before-undone")).toBe(true);
      expect(await exists("after-undone")).toBe(true);
    });

    if (dialect.name !== "postgres") return;

    /** Whether a connection of this store runs a statement waiting for a lock. */
    const waiting = async () => {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      try {
        const { rowCount } = await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [
          applicationName,
        ]);
        return (rowCount ?? 0) > 0;
      } finally {
        await admin.end();
      }
    };

    /** Locks model_versions from another connection, so that any read of it waits until release(). */
    async function lockVersions() {
      const lock = await holdTableLock(db.schema as string, "model_versions");
      return {
        ...lock,
        async untilWaited() {
          for (let i = 0; i < 500 && !(await waiting()); i++) await new Promise((r) => setTimeout(r, 20));
        },
      };
    }

    const listAll = () => listVersions(registry, undefined, listRequest());

    it("ends a read at its deadline: its query stops waiting however long it would have run", async () => {
      const lock = await lockVersions();
      try {
        const read = bounded({ deadline: Date.now() + 300 }, listAll);
        await expect(read).rejects.toBeInstanceOf(DeadlineExceededError);
        expect(await waiting()).toBe(false);
      } finally {
        await lock.release();
      }
    }, 20_000);

    it("cancels a read's running query when its call is cancelled", async () => {
      const lock = await lockVersions();
      try {
        const call = new AbortController();
        const read = bounded({ signal: call.signal }, listAll);
        read.catch(() => {});
        await lock.untilWaited();
        expect(await waiting()).toBe(true);
        call.abort(new DeadlineExceededError("client went away"));
        await expect(read).rejects.toThrow("client went away");
        // The read's transaction ended only after its cancel was answered.
        expect(await waiting()).toBe(false);
      } finally {
        await lock.release();
      }
      // The connection went back to the pool usable.
      expect((await listAll()).items).toEqual([]);
    }, 20_000);

    it("drops a write whose call ended while it waited for the write lock: nothing is committed after the release", async () => {
      const before = await revision();
      const lock = await holdWriteLock(db.schema as string);
      try {
        const call = new AbortController();
        const write = bounded({ signal: call.signal }, () => create("behind-the-lock"));
        write.catch(() => {});
        await lock.waitedOnBy(applicationName);
        call.abort(new DeadlineExceededError("deadline while waiting"));
        await lock.release();
        await expect(write).rejects.toThrow("deadline while waiting");
      } finally {
        await lock.release();
      }
      expect(await exists("behind-the-lock")).toBe(false);
      expect(await revision()).toBe(before);
      // The store writes on.
      await create("after-the-lock");
      expect(await revision()).toBe(before + 1);
    }, 20_000);

    it("classifies a cancelled statement as a cancelled call, not an internal error", async () => {
      const error = await store
        .read(() => Promise.reject(Object.assign(new Error("canceling statement due to user request"), { code: "57014" })))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).kind).toBe("cancelled");
    });
  });
}
