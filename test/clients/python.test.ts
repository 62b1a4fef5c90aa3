import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { startTestServer, type TestServer } from "../support/server.js";

const run = promisify(execFile);
const PYTHON = process.env.PYTHON ?? "python3";

/** Runs a command to completion and returns its exit code and combined output. */
function exec(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] Python SDK (clients/python)`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server?.close());

    it("passes its unittest suite against the real server: seed example, paging, metadata, errors, watch resume, KFP", async () => {
      const { code, output } = await exec(
        PYTHON,
        ["-W", "error::ResourceWarning", "-m", "unittest", "discover", "-s", "clients/python/tests", "-v"],
        { MODEL_REGISTRY_TEST_URL: server.url, PYTHONDONTWRITEBYTECODE: "1" },
      );
      expect(code, output).toBe(0);
      expect(output).toMatch(/^OK/m);
      expect(output).not.toMatch(/skipped/);
    }, 120_000);
  });
}

describe("Python SDK packaging", () => {
  let target: string;
  beforeAll(() => {
    target = mkdtempSync(join(tmpdir(), "model-registry-pip-"));
  });
  afterAll(() => rmSync(target, { recursive: true, force: true }));

  it("installs with pip from the source tree offline, with build isolation, and imports", async () => {
    await run(PYTHON, ["-m", "pip", "install", "--no-index", "--no-cache-dir", "--quiet", "--target", target, "./clients/python"], {
      env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1" },
      timeout: 60_000,
    });
    const { stdout } = await run(PYTHON, ["-c", "import model_registry_client as m; print(m.__file__); print(m.ModelRegistryClient.__name__)"], {
      env: { ...process.env, PYTHONPATH: target },
      cwd: tmpdir(),
    });
    expect(stdout).toContain(join(target, "model_registry_client", "__init__.py"));
    expect(stdout).toContain("ModelRegistryClient");
  }, 60_000);
});
