import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { runCli } from "../support/process.js";
import { startTestServer, type TestServer } from "../support/server.js";

const PACKAGE_VERSION = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;

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
      expect(registered).toEqual({
        code: 0,
        output: expect.stringMatching(new RegExp(`^registered ${model} v2 \\(new model\\): registeredModels/\\d+/versions/\\d+\\n$`)),
      });
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

describe("npm run cli", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(SERVER_DIALECTS[0]!);
  });
  afterAll(() => server?.close());

  /** `npm run --silent cli -- <args>`, the leader of a process group of its own (so the test can see what it leaves). */
  function npmRunCli(args: string[]) {
    const child = spawn("npm", ["run", "--silent", "cli", "--", ...args], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const exited = once(child, "exit").then(([code]) => code as number | null);
    return { child, exited, stdout: () => stdout, stderr: () => stderr };
  }

  /** Whether any process of the group is left, after waiting up to timeoutMs for the group to go. */
  async function groupLeft(pgid: number, timeoutMs = 5_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      try {
        process.kill(-pgid, 0);
      } catch {
        return false;
      }
      if (Date.now() > end) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("stops watch on SIGTERM to npm, exits 0 and leaves no process behind", async () => {
    const run = npmRunCli(["watch", "--server", server.url]);
    try {
      const end = Date.now() + 60_000;
      while (!run.stderr().includes("# connected to")) {
        if (Date.now() > end || run.child.exitCode !== null) throw new Error(`watch did not connect:\n${run.stdout()}${run.stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
      // Without `exec` in the script, npm's shell dies of the signal and node watches on, orphaned.
      expect(await groupLeft(run.child.pid!)).toBe(false);
    } finally {
      try {
        process.kill(-run.child.pid!, "SIGKILL");
      } catch {
        // The group is gone.
      }
    }
  }, 90_000);

  it("prints package.json's version from the build (dist/src/main.js, two levels below it)", async () => {
    const run = npmRunCli(["--version"]);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toBe(`model-registry ${PACKAGE_VERSION}\n`);
  }, 90_000);
});

describe("model-registry CLI help", () => {
  it("lists the client commands next to serve and migrate", async () => {
    const res = await runCli(["help"]);
    expect(res.code).toBe(0);
    for (const line of [
      "models list|get|archive|restore",
      "versions list|get|compare|archive|restore",
      "register MODEL",
      "alias set|rm|list",
      "events",
      "watch",
    ]) {
      expect(res.output).toContain(line);
    }
  }, 30_000);

  it("exits 0 on every --help of the server and the token helpers, showing their flags", async () => {
    const cases: [string[], string[]][] = [
      [["--help"], ["--port PORT", "--database URL", "--tokens-file PATH", "--version"]],
      [["help"], ["--port PORT", "--database URL"]],
      [
        ["serve", "--help"],
        ["--port PORT", "--database URL", "--grpc-port PORT"],
      ],
      [["migrate", "--help"], ["--database URL"]],
      [
        ["token", "--help"],
        ["token hash [SECRET]", "token new SUBJECT ROLES", "--help"],
      ],
      [
        ["token", "new", "--help"],
        ["token new SUBJECT ROLES", "--help"],
      ],
      [
        ["token", "hash", "--help"],
        ["token hash [SECRET]", "--help"],
      ],
      [
        ["help", "watch"],
        ["--from REVISION", "--wide", "--retries", "--server URL"],
      ],
    ];
    const results = await Promise.all(cases.map(([argv]) => runCli(argv)));
    results.forEach((res, i) => {
      const [argv, expected] = cases[i]!;
      expect(res.code, argv.join(" ")).toBe(0);
      for (const text of expected) expect(res.output, argv.join(" ")).toContain(text);
    });
  }, 30_000);

  it("prints package.json's version with --version (run from src through tsx, one level below it)", async () => {
    expect(await runCli(["--version"])).toEqual({ code: 0, output: `model-registry ${PACKAGE_VERSION}\n` });
  }, 30_000);

  it("answers a misspelled command or server flag with one line naming the closest", async () => {
    const [command, flag, unknown, token] = await Promise.all([
      runCli(["modles", "list"]),
      runCli(["--prot", "8080"]),
      runCli(["frobnicate"]),
      runCli(["token", "nwe", "alice", "viewer"]),
    ]);
    expect(command).toEqual({ code: 2, output: 'model-registry: unknown command "modles"; did you mean "models"?\n' });
    expect(flag).toEqual({ code: 2, output: "model-registry: unknown flag --prot; did you mean --port?\n" });
    expect(unknown).toEqual({ code: 2, output: 'model-registry: unknown command "frobnicate"; run "model-registry --help" for the commands\n' });
    expect(token).toEqual({ code: 2, output: 'model-registry token: unknown subcommand "token nwe"; did you mean "token new"?\n' });
  }, 30_000);
});
