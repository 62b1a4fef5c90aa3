import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runClientInProcess } from "../support/cli.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { tempDir } from "../security/support.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] CLI webhooks commands`, () => {
    let server: TestServer;
    let receiver: Receiver;
    const tmp = tempDir();
    const cli = (...args: string[]): Promise<CliResult> => runClientInProcess([...args, "--server", server.url, "--actor", "cli@acme.com"]);
    /** The output of a command that must succeed silently on stderr. */
    const ok = (...args: string[]) =>
      cli(...args).then((res) => {
        expect([res.code, res.stderr]).toEqual([0, ""]);
        return res.stdout;
      });

    beforeAll(async () => {
      const keyFile = join(tmp.dir, "key");
      writeFileSync(keyFile, randomBytes(32).toString("hex"));
      receiver = await startReceiver(({ path }) => (path === "/down" ? 500 : 204));
      server = await startTestServer(dialect, undefined, { app: { webhooks: { keyFile, allowHttp: true, allowedNetworks: ["127.0.0.1/32"] } } });
    });
    afterAll(async () => {
      await server?.close();
      await receiver?.close();
      tmp.cleanup();
    });

    it("creates a webhook and prints its secret once, then lists, disables, rotates and deletes it", async () => {
      const name = `ci-${randomBytes(3).toString("hex")}`;
      const created = await ok(
        "webhooks",
        "create",
        name,
        "--url",
        "https://ci.example.com/hooks",
        "--event-type",
        "created",
        "--resource-type",
        "ModelVersion",
      );
      expect(created).toMatch(/^secret \(shown once; verify deliveries with it\): whsec_\S{44}$/m);
      expect(created).toMatch(/^events: +CREATED$/m);
      const got = await ok("webhooks", "get", name);
      expect(got).not.toContain("whsec_");
      expect(got).toMatch(/^owner: +cli@acme.com$/m);
      expect(await ok("webhooks", "list")).toMatch(new RegExp(`^${name} +\\d+ +yes +https://ci.example.com/hooks +cli@acme.com`, "m"));
      expect(await ok("webhooks", "disable", name)).toMatch(/^disabled webhook /);
      expect(JSON.parse(await ok("webhooks", "get", name, "--json")).enabled).toBe(false);
      expect(await ok("webhooks", "rotate-secret", name, "--grace-seconds", "60")).toMatch(/^new secret \(shown once\): whsec_/);
      expect(await ok("webhooks", "delete", name)).toMatch(/^deleted webhook /);
      const gone = await cli("webhooks", "get", name);
      expect([gone.code, gone.stderr]).toEqual([1, expect.stringContaining("not_found")]);
    }, 60_000);

    it("pings a webhook, lists its attempts and redelivers", async () => {
      const name = `ping-${randomBytes(3).toString("hex")}`;
      await ok("webhooks", "create", name, "--url", `${receiver.base}/up`);
      expect(await ok("webhooks", "test", name)).toMatch(/^acknowledged: HTTP 204 in \d+ ms \(msg_\d+_ping_[0-9a-f]{32}\)$/m);
      const down = `down-${randomBytes(3).toString("hex")}`;
      await ok("webhooks", "create", down, "--url", `${receiver.base}/down`);
      expect(await ok("webhooks", "test", down)).toMatch(/^failed: HTTP 500 in \d+ ms/m);
      expect(receiver.at("/up")).toHaveLength(1);
      const listed = await ok("webhooks", "deliveries", name);
      expect(listed).toMatch(/^TIME +REVISION +KIND +ATTEMPT +OUTCOME +ANSWER +LATENCY +NEXT RETRY$/m);
      expect(listed).toMatch(/ 0 +PING +1 +ACKNOWLEDGED +HTTP 204 +\d+ ms +-$/m);
      const asJson = JSON.parse(await ok("webhooks", "deliveries", name, "--json", "--filter", 'kind = "PING"')) as Array<{ kind: string }>;
      expect(asJson.map((d) => d.kind)).toEqual(["WEBHOOK_DELIVERY_KIND_PING"]);
      // Its CREATED event is the newest: everything from it on (nothing the webhook selects yet) is delivered again.
      const events = JSON.parse(await ok("events", "--json", "--limit", "1")) as Array<{ revision: string }>;
      expect(await ok("webhooks", "redeliver", name, "--from-revision", events[0]!.revision)).toMatch(/delivers again from revision \d+/);
      const both = await cli("webhooks", "redeliver", name);
      expect([both.code, both.stderr]).toEqual([2, expect.stringContaining("exactly one of --revision N and --from-revision N")]);
    }, 60_000);

    it("says why a destination is refused", async () => {
      const res = await cli("webhooks", "create", "bad", "--url", "https://169.254.169.254/latest");
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/webhook\.url: 169\.254\.169\.254 is a private, loopback, link-local or otherwise special address/);
    }, 60_000);
  });
}
