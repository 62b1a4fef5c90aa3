import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL } from "../support/dialects.js";
import { type ServerProcess, spawnServer } from "../support/process.js";
import { clientsOf, createHook, createModels, processDatabase, webhookKey } from "../support/webhook-harness.js";
import { ascending, type Receiver, revisionOf, signedByBoth, startReceiver, until } from "../support/webhook-receiver.js";

/**
 * Two server processes on one Postgres schema, both delivering: a webhook's lease gives it to
 * one of them at a time, so each event comes once per webhook; SIGKILL the holder and the other
 * takes the lease once it expires (10 s), then goes on from the cursor.
 */
describe.runIf(POSTGRES_URL !== "")("[postgres] webhook delivery from two replicas", () => {
  const key = webhookKey();
  let db: Awaited<ReturnType<typeof processDatabase>>;
  let receiver: Receiver;
  let replicas: ServerProcess[] = [];
  /** Which process holds each webhook's lease (the owner id starts with host/pid/). */
  const holders = async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ webhook_id: string; owner: string; expire_time: string }>("SELECT * FROM webhook_leases");
      return new Map(rows.filter((r) => Number(r.expire_time) > Date.now()).map((r) => [r.webhook_id, Number(r.owner.split("/")[1])]));
    } finally {
      await client.end();
    }
  };
  beforeAll(async () => {
    db = await processDatabase("postgres");
    receiver = await startReceiver(() => 204);
    replicas = await Promise.all([
      spawnServer(["--database", db.url, ...key.flags], {}, 60_000),
      spawnServer(["--database", db.url, ...key.flags], {}, 60_000),
    ]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(replicas.filter((r) => r.child.signalCode === null).map((r) => r.stop()));
    await receiver?.close();
    await db?.cleanup();
    key.cleanup();
  }, 60_000);

  const acknowledged = (path: string) => receiver.at(path).filter((r) => r.status === 204);

  it("delivers each event once per webhook, and moves a killed replica's webhooks to the other", async () => {
    const clients = replicas.map((r) => clientsOf(r.url));
    const hooks = [await createHook(clients[0]!.hooks, `${receiver.base}/one`), await createHook(clients[1]!.hooks, `${receiver.base}/two`)];
    const names = (await Promise.all(clients.map((c, i) => createModels(c.registry, `replica${i}-`, 15)))).flat();
    for (const path of ["/one", "/two"]) {
      const got = await until(`30 deliveries to ${path}`, () => acknowledged(path).length >= 30 && acknowledged(path), 60_000);
      expect(got).toHaveLength(30);
      expect(new Set(got.map((r) => r.headers["webhook-id"])).size).toBe(30);
      expect(ascending(got.map(revisionOf))).toBe(true);
    }
    expect(names).toHaveLength(30);
    // Both webhooks have a live lease, each held by one of the two processes.
    const before = await holders();
    const pids = replicas.map((r) => r.child.pid);
    const holder = before.get(hooks[0]!.id);
    expect(pids).toContain(holder);
    expect(pids).toContain(before.get(hooks[1]!.id));

    const killed = replicas.find((r) => r.child.pid === holder)!;
    const survivor = replicas.find((r) => r !== killed)!;
    await killed.stop("SIGKILL");
    const killedAt = Date.now();
    await createModels(clientsOf(survivor.url).registry, "after-kill", 5);
    for (const path of ["/one", "/two"]) {
      await until(`35 deliveries to ${path}`, () => acknowledged(path).length >= 35, 60_000);
    }
    const failover =
      Math.max(
        ...acknowledged("/one")
          .slice(30)
          .map((r) => r.at),
      ) - killedAt;
    expect(failover).toBeLessThan(30_000);
    const after = await holders();
    expect(after.get(hooks[0]!.id)).toBe(survivor.child.pid);
    expect(after.get(hooks[1]!.id)).toBe(survivor.child.pid);
    for (const [i, path] of ["/one", "/two"].entries()) {
      const got = receiver.at(path);
      expect(got.every((r) => r.status === 204)).toBe(true);
      expect(new Set(got.map((r) => r.headers["webhook-id"])).size).toBe(got.length);
      expect(got).toHaveLength(35);
      expect(ascending(got.map(revisionOf))).toBe(true);
      expect(signedByBoth(hooks[i]!.secret, got)).toBe(true);
    }
  }, 240_000);
});
