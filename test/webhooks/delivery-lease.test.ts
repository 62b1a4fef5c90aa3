import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RegistryStore } from "../../src/registry/ports/store.js";
import { Registry } from "../../src/registry/shared/registry.js";
import {
  acquireLeases,
  claimableWebhooks,
  type DeliveryLease,
  releaseLeases,
  renewLeases,
  stillHeld,
} from "../../src/registry/webhooks/delivery-lease.js";
import { openStore } from "../../src/store/kysely/open-store.js";
import { DIALECTS } from "../support/dialects.js";

/** The lease rows on both engines, under a clock the test moves (no sleeping). */
for (const dialect of DIALECTS.filter((d) => d.name !== "sqlite-memory")) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] webhook delivery leases`, () => {
    let store: RegistryStore;
    let cleanup: () => Promise<void>;
    let clock = 1_000_000;
    let registry: Registry;
    const a: DeliveryLease = { owner: "host/1/aaaa", ttlMs: 10_000 };
    const b: DeliveryLease = { owner: "host/2/bbbb", ttlMs: 10_000 };
    const held = (lease: DeliveryLease, id: number) => store.write((w) => stillHeld(registry, w, lease, id));
    const owners = async () => (await store.read((r) => r.webhooks.listLeases())).map((l) => [l.webhookId, l.owner]);

    beforeAll(async () => {
      const db = await dialect.create();
      cleanup = db.cleanup;
      store = await openStore({ database: db.database, schema: db.schema, poolSize: 2 });
      registry = new Registry(store, { now: () => new Date(clock) });
    }, 30_000);
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it("gives a free lease to the first taker only, and again to its holder", async () => {
      expect(await acquireLeases(registry, a, [1, 2])).toEqual([1, 2]);
      expect(await acquireLeases(registry, b, [1, 2, 3])).toEqual([3]);
      expect(await acquireLeases(registry, a, [1])).toEqual([1]);
      expect(await claimableWebhooks(registry, b, [1, 2, 3, 4])).toEqual([3, 4]);
      expect(await owners()).toEqual([
        [1, a.owner],
        [2, a.owner],
        [3, b.owner],
      ]);
    });

    it("lets another owner take an expired lease, after which the old holder's saves are refused", async () => {
      expect(await held(a, 1)).toBe(true);
      clock += 10_001;
      expect(await held(a, 1)).toBe(false);
      expect(await claimableWebhooks(registry, b, [1])).toEqual([1]);
      expect(await acquireLeases(registry, b, [1])).toEqual([1]);
      expect(await held(b, 1)).toBe(true);
      expect(await held(a, 1)).toBe(false);
    });

    it("renews by heartbeat only the leases an owner still has, and keeps them from expiring", async () => {
      expect((await renewLeases(registry, a)).sort()).toEqual([2]);
      clock += 9_000;
      expect(await acquireLeases(registry, b, [2])).toEqual([]);
      expect(await held(a, 2)).toBe(true);
    });

    it("releases an owner's leases, so another replica takes them at once", async () => {
      await releaseLeases(registry, a);
      expect(await acquireLeases(registry, b, [2])).toEqual([2]);
      await releaseLeases(registry, b, [3]);
      expect(await owners()).toEqual([
        [1, b.owner],
        [2, b.owner],
      ]);
    });

    it("drops a webhook's lease with the webhook's rows", async () => {
      await store.write((w) => w.webhooks.deleteWebhookRows(1));
      expect(await owners()).toEqual([[2, b.owner]]);
    });
  });
}
