import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { canPin } from "../child.js";
import { alternate, type BenchServer, LOAD_CPU, medianRatio } from "../harness.js";
import { atMost, type Row, type Target } from "../report.js";
import { fmtMs, fmtRatio, median } from "../stats.js";

/** The repository root: every command runs from here, as a user in a checkout would. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const MAIN_JS = "dist/src/main.js";
/** Models registered before the list call is measured. */
const MODELS = Array.from({ length: 5 }, (_, i) => `bench-cli-${i}`);

export interface CliStartTiming {
  /** Processes per slice; a slice's figure is the median of its runs. */
  runs: number;
  pairs: number;
}

/**
 * The environment of every measured process: this one's, without NODE_OPTIONS (a loader there
 * would be paid by every side) and without MODEL_REGISTRY_* (the command line says everything).
 */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  for (const key of Object.keys(env)) if (key.startsWith("MODEL_REGISTRY_")) delete env[key];
  return env;
}

/**
 * Runs `node ...args` to completion, pinned to the load generator's core (the server has the
 * other one), and returns the wall time from spawn to exit in ms. Fails on a non-zero exit: a
 * command that fails measures nothing.
 */
function timeRun(args: string[], env: NodeJS.ProcessEnv): number {
  const [command, argv] = canPin ? ["taskset", ["-c", String(LOAD_CPU), process.execPath, ...args]] : [process.execPath, args];
  const started = performance.now();
  const result = spawnSync(command, argv, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited with ${result.status ?? result.signal}: ${String(result.stderr).trim()}`);
  return ms;
}

/** The .ts files under src/ and gen/ whose emitted .js in dist/ is missing or older. */
function staleSources(): string[] {
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        const out = join(ROOT, "dist", relative(ROOT, path).replace(/\.ts$/, ".js"));
        if (!existsSync(out) || statSync(out).mtimeMs < statSync(path).mtimeMs) stale.push(relative(ROOT, path));
      }
    }
  };
  for (const dir of ["src", "gen"]) walk(join(ROOT, dir));
  return stale;
}

/**
 * Makes dist/ match the sources (`npx tsc -p tsconfig.build.json`, incremental) when it is
 * missing or older than them, so the figures are those of the code in the checkout.
 */
export function ensureBuild(log: (line: string) => void): void {
  const stale = staleSources();
  if (existsSync(join(ROOT, MAIN_JS)) && stale.length === 0) return;
  log(`building dist/ (${existsSync(join(ROOT, MAIN_JS)) ? `${stale.length} sources changed, e.g. ${stale[0]}` : `${MAIN_JS} is missing`})`);
  const result = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  if (result.status !== 0 || !existsSync(join(ROOT, MAIN_JS))) {
    const output = `${String(result.stdout)}${String(result.stderr)}`.trim().split("\n").slice(0, 5).join("; ");
    throw new Error(`goal 7 measures the compiled CLI, and \`npx tsc -p tsconfig.build.json\` failed (exit ${result.status}): ${output}`);
  }
}

/** Registers the models the list call shows, through the CLI itself (one process each). */
function registerModels(server: string, env: NodeJS.ProcessEnv): void {
  for (const [i, model] of MODELS.entries()) {
    timeRun([MAIN_JS, "register", model, "--version", "1", "--uri", `s3://bench/cli/${i}/model.onnx`, "--server", server], env);
  }
}

interface Command {
  /** How the row names it. */
  label: string;
  args: string[];
}

/** One A/B row: `runs` processes per slice, ABBA order, the ratio B/A per pair, the median of those. */
async function compare(
  goal: string,
  what: string,
  a: Command,
  b: Command,
  target: Target | null,
  timing: CliStartTiming,
  env: NodeJS.ProcessEnv,
): Promise<Row> {
  const slice = (c: Command, runs: number) => async () => median(Array.from({ length: runs }, () => timeRun(c.args, env)));
  const pairs = await alternate(timing.pairs, slice(a, timing.runs), slice(b, timing.runs), { a: slice(a, 2), b: slice(b, 2) });
  const ratio = medianRatio(pairs, (x, y) => y / x);
  return {
    goal,
    what,
    baseline: `${a.label} ${fmtMs(median(pairs.a))}`,
    measured: `${b.label} ${fmtMs(median(pairs.b))}`,
    result: fmtRatio(ratio),
    value: ratio,
    target,
  };
}

/**
 * Goal 7: how long the `model-registry` command takes from process start to exit, as a ratio
 * to a bare `node -e 0` measured in the same run: `--help` ≤ 3× (it should load only the flag
 * parser), `models list --server URL` against the running bench server ≤ 5× (only the client
 * code). The same two commands run the old way (`node --import tsx src/main.ts`, which
 * compiles TypeScript on every start) are information rows, so the gain of the build shows.
 */
export async function cliStartGoal(server: BenchServer, timing: CliStartTiming, log: (line: string) => void): Promise<Row[]> {
  ensureBuild(log);
  const env = childEnv();
  const url = `http://127.0.0.1:${server.port}`;
  registerModels(url, env);
  const listArgs = ["models", "list", "--server", url];
  const check = spawnSync(process.execPath, [MAIN_JS, ...listArgs], { cwd: ROOT, env, encoding: "utf8" });
  const missing = MODELS.filter((m) => !check.stdout.includes(m));
  if (check.status !== 0 || missing.length > 0) throw new Error(`models list did not show ${missing.join(", ")}: ${check.stdout}${check.stderr}`);

  const node: Command = { label: "node -e 0", args: ["-e", "0"] };
  const help: Command = { label: "--help", args: [MAIN_JS, "--help"] };
  const list: Command = { label: "models list", args: [MAIN_JS, ...listArgs] };
  const tsx = (c: Command): Command => ({ label: `tsx ${c.label}`, args: ["--import", "tsx", "src/main.ts", ...c.args.slice(1)] });
  const per = `${timing.runs} runs per slice${canPin ? `, pinned to CPU ${LOAD_CPU} (taskset)` : ""}`;
  return [
    await compare(
      "7",
      `\`model-registry --help\` (node ${MAIN_JS} --help) vs \`node -e 0\`, process start to exit, ${per}`,
      node,
      help,
      atMost(3),
      timing,
      env,
    ),
    await compare(
      "7",
      `\`model-registry models list --server URL\` (${MODELS.length} models, the bench server) vs \`node -e 0\`, start to exit`,
      node,
      list,
      atMost(5),
      timing,
      env,
    ),
    await compare("7 (ref)", "old way: `node --import tsx src/main.ts --help` vs `node -e 0`", node, tsx(help), null, timing, env),
    await compare("7 (ref)", "old way: `node --import tsx src/main.ts models list --server URL` vs `node -e 0`", node, tsx(list), null, timing, env),
  ];
}
