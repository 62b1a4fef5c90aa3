import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { runCli } from "../support/process.js";
import { startTestServer, type TestServer } from "../support/server.js";

// The same commands as client-commands.test.ts, through the real binary (src/main.ts) as a process:
// the dispatch from main, stdout/stderr and the exit codes.
for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] model-registry CLI as a process`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server?.close());

    it("registers a model, then lists and reads it, with the server from MODEL_REGISTRY_SERVER", async () => {
      const model = `fraud-detector-${randomBytes(3).toString("hex")}`;
      const env = { MODEL_REGISTRY_SERVER: server.url, MODEL_REGISTRY_ACTOR: "ci@acme.com" };
      const registered = await runCli(
        ["register", model, "--version", "v2", "--uri", `s3://ml-models/${model}/v2/model.onnx`, "--format", "onnx", "--metadata", "accuracy=0.967"],
        env,
      );
      expect(registered).toEqual({ code: 0, output: expect.stringMatching(new RegExp(`^registered ${model} v2 \\(new model\\): registeredModels/\\d+/versions/\\d+\\n$`)) });
      const [list, get] = await Promise.all([runCli(["versions", "list", model], env), runCli(["versions", "get", model, "v2", "--json"], env)]);
      expect(list.code).toBe(0);
      expect(list.output).toMatch(new RegExp(`^v2 +LIVE +- +ci@acme.com +.* s3://ml-models/${model}/v2/model.onnx$`, "m"));
      expect(get.code).toBe(0);
      expect(JSON.parse(get.output).modelVersion.customProperties.accuracy).toEqual({ doubleValue: 0.967 });
    }, 30_000);

    it("exits 1 with one line when the call fails, 2 on a usage mistake", async () => {
      const [missing, usage] = await Promise.all([
        runCli(["models", "get", "no-such-model", "--server", server.url]),
        runCli(["versions", "frobnicate", "--server", server.url]),
      ]);
      expect(missing).toEqual({ code: 1, output: 'model-registry: registered model "no-such-model" not found (not_found)\n' });
      expect(usage.code).toBe(2);
      expect(usage.output).toMatch(/^model-registry versions: unknown subcommand "versions frobnicate"\n\nusage:/);
    }, 30_000);
  });
}

describe("model-registry CLI help", () => {
  it("lists the client commands next to serve and migrate", async () => {
    const res = await runCli(["help"]);
    expect(res.code).toBe(0);
    for (const line of ["models list|get|archive|restore", "versions list|get|compare", "register MODEL", "alias set|rm|list", "events", "watch"]) {
      expect(res.output).toContain(line);
    }
  }, 30_000);
});
