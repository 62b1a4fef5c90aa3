import { execFile, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { startTestServer, type TestServer } from "../support/server.js";

const run = promisify(execFile);
const PYTHON = process.env.PYTHON ?? "python3";

/**
 * A Python 3.9 interpreter, the oldest the SDK supports (pyproject.toml `requires-python`), when
 * this machine has one: $PYTHON39, python3.9 on PATH or in /usr/local/bin or /usr/bin, or a pyenv
 * install. Each is run to check it works: a pyenv shim on PATH exits 127 unless its version is selected.
 */
function findPython39(): string | undefined {
  const pyenvVersions = join(process.env.PYENV_ROOT ?? join(homedir(), ".pyenv"), "versions");
  let pyenv: string[] = [];
  try {
    pyenv = readdirSync(pyenvVersions)
      .filter((v) => /^3\.9(\.\d+)?$/.test(v))
      .map((v) => join(pyenvVersions, v, "bin", "python3.9"));
  } catch {
    // No pyenv.
  }
  const candidates = [process.env.PYTHON39, "python3.9", "/usr/local/bin/python3.9", "/usr/bin/python3.9", ...pyenv];
  return candidates.find((python) => {
    if (!python) return false;
    const res = spawnSync(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8", timeout: 10_000 });
    return res.status === 0 && res.stdout.trim() === "3.9";
  });
}

const PYTHON39 = findPython39();
if (!PYTHON39) console.log("note: no Python 3.9 interpreter found (set PYTHON39); the Python SDK suite runs under python3 only");
const INTERPRETERS = [
  { label: PYTHON, python: PYTHON as string | undefined },
  { label: "Python 3.9", python: PYTHON39 },
];

/** Runs a command to completion and returns its exit code and combined output. */
function exec(command: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, cwd, stdio: ["ignore", "pipe", "pipe"] });
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

    for (const { label, python } of INTERPRETERS) {
      it.runIf(python)(
        `passes its unittest suite under ${label} against the real server: seed example, paging, metadata, errors, watch resume, KFP, tokens and TLS`,
        async () => {
          const { code, output } = await exec(
            python!,
            ["-W", "error::ResourceWarning", "-m", "unittest", "discover", "-s", "clients/python/tests", "-v"],
            { MODEL_REGISTRY_TEST_URL: server.url, PYTHONDONTWRITEBYTECODE: "1" },
          );
          expect(code, output).toBe(0);
          expect(output).toMatch(/^OK/m);
          expect(output).not.toMatch(/skipped/);
        },
        180_000,
      );
    }
  });
}

describe("Python SDK packaging", () => {
  let target: string;
  beforeAll(() => {
    target = mkdtempSync(join(tmpdir(), "model-registry-pip-"));
  });
  afterAll(() => rmSync(target, { recursive: true, force: true }));

  it("installs with pip from the source tree offline, with build isolation, and imports under both names", async () => {
    await run(PYTHON, ["-m", "pip", "install", "--no-index", "--no-cache-dir", "--quiet", "--target", target, "./clients/python"], {
      env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1" },
      timeout: 60_000,
    });
    const script =
      "import model_registry as m, model_registry_client as old; print(m.__file__); print(m.ModelRegistryClient is old.ModelRegistryClient)";
    const { stdout } = await run(PYTHON, ["-c", script], { env: { ...process.env, PYTHONPATH: target }, cwd: tmpdir() });
    expect(stdout).toContain(join(target, "model_registry", "__init__.py"));
    expect(stdout).toContain("True");
  }, 60_000);
});

/** The README's Python SDK snippet: the ```python block that starts with the documented import. */
function readmePythonSnippet(): string {
  const readme = readFileSync("README.md", "utf8");
  const block = [...readme.matchAll(/```python\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((code) => code.startsWith("from model_registry import ModelRegistryClient\n"));
  if (!block) throw new Error("README.md has no ```python block starting with `from model_registry import ModelRegistryClient`");
  return block;
}

describe("[sqlite-memory] the README's Python snippet", () => {
  let server: TestServer;
  let venv: string;
  beforeAll(async () => {
    server = await startTestServer(SERVER_DIALECTS[0]!);
    venv = mkdtempSync(join(tmpdir(), "model-registry-venv-"));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(venv, { recursive: true, force: true });
  });

  it("runs as written after `pip install ./clients/python` into a fresh virtual environment", async () => {
    await run(PYTHON, ["-m", "venv", venv], { timeout: 60_000 });
    const python = join(venv, "bin", "python");
    await run(python, ["-m", "pip", "install", "--no-index", "--no-cache-dir", "--quiet", "./clients/python"], {
      env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1" },
      timeout: 60_000,
    });
    // Verbatim but for the port: the snippet talks to localhost:8080, the test server listens on port 0.
    const snippet = readmePythonSnippet();
    expect(snippet).toContain("port=8080");
    const code = snippet.replace("port=8080", `port=${new URL(server.url).port}`);
    // Run from a folder outside the checkout, so only the installed package can be imported.
    const { code: exit, output } = await exec(python, ["-c", code], { PYTHONPATH: "", PYTHONDONTWRITEBYTECODE: "1" }, tmpdir());
    expect(exit, output).toBe(0);
    expect(output).toContain("s3://ml-models/fraud-detector/v2/model.onnx 0.967");
    expect(output).toContain("v2 LIVE s3://ml-models/fraud-detector/v2/model.onnx");
  }, 120_000);
});
