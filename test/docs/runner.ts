// Runs the blocks of one document: a fresh server (in-memory SQLite, port 0) started with the flags
// the document declares, a working directory shared by its blocks, a `model-registry` command that is
// this checkout's build, and one Python interpreter per document (a shared namespace, in a virtual
// environment with the SDK installed). See docs/development.md, "Executed documentation".
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type ServerProcess, spawnListening } from "../support/process.js";
import type { Block } from "./markdown.js";

export const REPO = resolve(import.meta.dirname, "../..");
const PYTHON = process.env.PYTHON ?? "python3";

/** What every document shares: the CLI shim, the virtual environment. */
export interface Toolbox {
  root: string;
  bin: string;
  venv: string;
  cleanup(): void;
}

/** Newest modification time under a folder (for "is dist/ older than src/?"). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function prepareToolbox(): Toolbox {
  const main = join(REPO, "dist", "src", "main.js");
  // dist/ is built by `npm ci` (prepare); rebuild it when src/ changed since, so the docs run this checkout.
  if (!existsSync(main) || newest(join(REPO, "dist")) < Math.max(newest(join(REPO, "src")), newest(join(REPO, "gen")))) {
    execFileSync("npm", ["run", "build", "--silent"], { cwd: REPO, stdio: "inherit" });
  }
  const root = mkdtempSync(join(tmpdir(), "model-registry-docs-"));
  const bin = join(root, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "model-registry"), `#!/bin/sh\nexec "${process.execPath}" "${main}" "$@"\n`);
  chmodSync(join(bin, "model-registry"), 0o755);
  const venv = join(root, "venv");
  execFileSync(PYTHON, ["-m", "venv", venv], { timeout: 60_000 });
  execFileSync(join(venv, "bin", "python"), ["-m", "pip", "install", "--no-index", "--no-cache-dir", "--quiet", "./clients/python"], {
    cwd: REPO,
    env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1" },
    timeout: 120_000,
  });
  return { root, bin, venv, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * Bash run before every shell block: `npx model-registry` is this checkout's CLI, and `npx TOOL`
 * runs the repository's node_modules/.bin/TOOL (the blocks run outside the checkout's folder).
 */
const BASH_PRELUDE = `
npx() {
  if [ "$1" = model-registry ]; then shift; model-registry "$@"; return; fi
  if [ -x "${REPO}/node_modules/.bin/$1" ]; then local b="${REPO}/node_modules/.bin/$1"; shift; "$b" "$@"; return; fi
  command npx "$@"
}
exec 2>&1
`;

export interface BlockResult {
  output: string;
  code: number | null;
  timedOut: boolean;
}

const STEP = "<<<docs-test step ";

/** Points localhost:8080, 127.0.0.1:8080 and port=8080 at the document's server. */
export function pointAtServer(code: string, port: number): string {
  return code.replace(/\b(localhost|127\.0\.0\.1):8080\b/g, `$1:${port}`).replace(/\bport=8080\b/g, `port=${port}`);
}

export class DocumentRun {
  readonly dir: string;
  private server: ServerProcess | undefined;
  private serverGeneration = -1;
  private python: { child: ChildProcess; output: string } | undefined;
  private snippets = 0;

  constructor(
    private readonly toolbox: Toolbox,
    readonly file: string,
  ) {
    // The working directory looks like the checkout (its files are symlinked) so that paths such as
    // ./clients/python or examples/… resolve, while whatever a block writes stays in the temp folder.
    this.dir = mkdtempSync(join(toolbox.root, `${file.replace(/[^A-Za-z0-9]/g, "_")}-`));
    // examples/ is copied: a script that checks whether it is the main module compares its real path
    // with process.argv[1], which a symlinked folder would make differ.
    for (const entry of readdirSync(REPO)) {
      if ([".git", "data", "coverage"].includes(entry) || entry.startsWith(".")) continue;
      if (entry === "examples") cpSync(join(REPO, entry), join(this.dir, entry), { recursive: true });
      else symlinkSync(join(REPO, entry), join(this.dir, entry));
    }
  }

  get port(): number {
    return this.server!.port;
  }

  /** The environment of blocks and servers: none of the outer MODEL_REGISTRY_* settings leak in. */
  private env(block: Block): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (k.startsWith("MODEL_REGISTRY_") || ["DATABASE_URL", "PORT", "TEST_POSTGRES_URL"].includes(k)) continue;
      env[k] = v;
    }
    return {
      ...env,
      PATH: `${this.toolbox.bin}:${join(this.toolbox.venv, "bin")}:${process.env.PATH}`,
      VIRTUAL_ENV: this.toolbox.venv,
      PIP_NO_INDEX: "1",
      PIP_DISABLE_PIP_VERSION_CHECK: "1",
      PYTHONDONTWRITEBYTECODE: "1",
      NO_COLOR: "1",
      ...(this.server ? { MODEL_REGISTRY_SERVER: this.server.url } : {}),
      ...block.env,
    };
  }

  /** Starts the document's server, or restarts it when a `serve` marker came since. */
  async ensureServer(block: Block): Promise<void> {
    if (this.server && this.serverGeneration === block.serveGeneration) return;
    await this.stopServer();
    const args = [join(REPO, "dist", "src", "main.js"), "serve", "--port", "0", "--database", ":memory:", "--log-level", "warn", ...block.serve];
    this.server = await spawnListening(process.execPath, args, this.env(block), { cwd: this.dir, replaceEnv: true, timeoutMs: 30_000 });
    this.serverGeneration = block.serveGeneration;
  }

  private async stopServer(): Promise<void> {
    await this.stopPython();
    await this.server?.stop();
    this.server = undefined;
  }

  async close(): Promise<void> {
    await this.stopServer();
  }

  /** Runs a process group to completion, or stops it with SIGINT after timeoutMs. */
  private async runGroup(command: string, args: string[], block: Block, defaultTimeoutMs: number, input?: string): Promise<BlockResult> {
    const child = spawn(command, args, {
      cwd: this.dir,
      env: this.env(block),
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      detached: true,
    });
    if (input !== undefined) child.stdin!.end(input);
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const limit = block.timeoutMs ?? defaultTimeoutMs;
    let timedOut = false;
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill("SIGINT");
      setTimeout(() => kill("SIGKILL"), 5_000).unref();
    }, limit);
    const [code] = await once(child, "close");
    clearTimeout(timer);
    kill("SIGTERM"); // whatever the block left in the background
    return { output, code: code as number | null, timedOut };
  }

  async runShell(block: Block): Promise<BlockResult> {
    const script = `${BASH_PRELUDE}set -eo pipefail\n${pointAtServer(block.code, this.port)}`;
    return this.runGroup("bash", ["-c", script], block, 120_000);
  }

  /** Runs a console block's commands in one bash, returning each command's output. */
  async runConsole(block: Block, commands: string[]): Promise<BlockResult & { outputs: string[] }> {
    const script = BASH_PRELUDE + commands.map((c, i) => `printf '\\n${STEP}%d>>>\\n' ${i}\n${pointAtServer(c, this.port)}\n`).join("");
    const result = await this.runGroup("bash", ["-c", script], block, 120_000);
    const outputs = commands.map(() => "");
    const parts = result.output.split(new RegExp(`\\n?${STEP.replace(/[<]/g, "<")}(\\d+)>>>\\n`));
    for (let i = 1; i < parts.length; i += 2) outputs[Number(parts[i])] = parts[i + 1] ?? "";
    return { ...result, outputs };
  }

  async runTypeScript(block: Block): Promise<BlockResult> {
    // A file at the top of the (symlinked) checkout: `./src/…` and package imports resolve as from the repository root.
    const file = join(this.dir, `docs-snippet-${++this.snippets}.mts`);
    writeFileSync(file, pointAtServer(block.code, this.port));
    return this.runGroup(join(REPO, "node_modules", ".bin", "tsx"), [file], block, 120_000);
  }

  async runPython(block: Block): Promise<BlockResult> {
    if (!this.python) {
      const child = spawn(join(this.toolbox.venv, "bin", "python"), ["-u", join(REPO, "test", "docs", "python-driver.py")], {
        cwd: this.dir,
        env: this.env(block),
        stdio: ["pipe", "pipe", "pipe"],
      });
      this.python = { child, output: "" };
      const p = this.python;
      child.stdout!.on("data", (d) => (p.output += d));
      child.stderr!.on("data", (d) => (p.output += d));
    }
    const p = this.python;
    const start = p.output.length;
    p.child.stdin!.write(`${JSON.stringify({ name: `${this.file}:${block.line}`, code: pointAtServer(block.code, this.port) })}\n`);
    const limit = block.timeoutMs ?? 120_000;
    let timedOut = false;
    const deadline = Date.now() + limit;
    const end = /\n<<<docs-test block end: (\w+)>>>\n/;
    for (;;) {
      const m = end.exec(p.output.slice(start));
      if (m) {
        const output = p.output.slice(start, start + m.index);
        return { output, code: m[1] === "error" ? 1 : 0, timedOut };
      }
      if (p.child.exitCode !== null) return { output: p.output.slice(start), code: p.child.exitCode, timedOut };
      if (!timedOut && Date.now() > deadline) {
        timedOut = true;
        p.child.kill("SIGINT");
      }
      if (timedOut && Date.now() > deadline + 10_000) {
        p.child.kill("SIGKILL");
        return { output: p.output.slice(start), code: null, timedOut };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async stopPython(): Promise<void> {
    if (!this.python) return;
    const { child } = this.python;
    this.python = undefined;
    if (child.exitCode !== null) return;
    child.stdin!.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await once(child, "exit");
    clearTimeout(timer);
  }
}
