import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL } from "../support/dialects.js";
import { type ServerProcess, spawnServer } from "../support/process.js";
import { clientsOf, createHook, createModels, processDatabase, webhookKey } from "../support/webhook-harness.js";
import { type Receiver, revisionOf, signedByBoth, startReceiver, subjectOf, until } from "../support/webhook-receiver.js";

/**
 * The real server as a child process, killed with SIGKILL while the receiver holds the answer to
 * one event open, then started again on the same database: nothing is lost, and only the event
 * in flight comes twice, with the same webhook-id (at least once). After the kill the dead
 * process's lease stands until it expires (10 s), then the new process takes it.
 */
for (const kind of ["sqlite-file", "postgres"] as const) {
  describe.runIf(kind !== "postgres" || POSTGRES_URL !== "")(`[${kind}] webhook delivery across a SIGKILL`, () => {
    const key = webhookKey();
    let db: Awaited<ReturnType<typeof processDatabase>>;
    let receiver: Receiver;
    let release: (status: number) => void = () => {};
    const servers: ServerProcess[] = [];
    beforeAll(async () => {
      db = await processDatabase(kind);
      // The fourth request's answer is held until the test releases it.
      receiver = await startReceiver(({ count }) => (count === 4 ? new Promise<number>((resolve) => (release = resolve)) : 204));
    }, 30_000);
    afterAll(async () => {
      release(204);
      await Promise.all(servers.filter((s) => s.child.signalCode === null).map((s) => s.stop()));
      await receiver?.close();
      await db?.cleanup();
      key.cleanup();
    }, 60_000);

    it("loses nothing and repeats only the event in flight, with the same webhook-id", async () => {
      const first = await spawnServer(["--database", db.url, ...key.flags], {}, 60_000);
      servers.push(first);
      const { registry, hooks } = clientsOf(first.url);
      const hook = await createHook(hooks, `${receiver.base}/crash`);
      const names = await createModels(registry, "crash", 6);
      const held = await until("the fourth event's request", () => receiver.at("/crash")[3], 30_000);
      expect(await first.stop("SIGKILL")).toBe(null);
      release(204);
      servers.push(await spawnServer(["--database", db.url, ...key.flags], {}, 60_000));
      // The held request (the fourth) got no answer: the server died waiting for it.
      const answered = () => receiver.at("/crash").filter((r, i) => i !== 3 && r.status === 204);
      await until("every event acknowledged after the restart", () => answered().length >= 6, 90_000);
      const all = receiver.at("/crash");
      const ids = all.map((r) => r.headers["webhook-id"]);
      expect(all).toHaveLength(7);
      expect(ids[4]).toBe(held.headers["webhook-id"]);
      expect(all.map(subjectOf)).toEqual([...names.slice(0, 4), names[3], ...names.slice(4)]);
      expect(new Set(ids).size).toBe(6);
      expect(all.map(revisionOf)).toEqual(ids.map((id) => Number(id!.split("_")[2])));
      expect(ids.every((id) => id!.startsWith(`msg_${hook.id}_`))).toBe(true);
      expect(signedByBoth(hook.secret, all)).toBe(true);
    }, 180_000);
  });
}
