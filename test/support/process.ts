import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `model-registry serve` as its own process and waits until it listens. */
export function spawnServer(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<ServerProcess> {
  return spawnListening(process.execPath, ["--import", "tsx", "src/main.ts", "serve", "--port", "0", "--log-level", "warn", ...args], env, {
    timeoutMs,
  });
}

/**
 * Runs `npm start -- <args>` (as a supervisor would) and waits until the server listens; the
 * child is npm, the leader of a process group of its own (so a test can end whatever it left).
 */
export function spawnNpmStart(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<ServerProcess> {
  return spawnListening("npm", ["start", "--silent", "--", "--port", "0", "--log-level", "warn", ...args], env, { timeoutMs, detached: true });
}

/** How spawnListening starts its process, beyond command, arguments and environment. */
export interface SpawnListeningOptions {
  timeoutMs?: number;
  /** Leader of a process group of its own. */
  detached?: boolean;
  cwd?: string;
  /** Run as this user and group (root only). */
  uid?: number;
  gid?: number;
  /** Use exactly this environment instead of adding `env` to this process's. */
  replaceEnv?: boolean;
}

/** Starts any server command and waits for its "listening on URL" line. */
export async function spawnListening(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: SpawnListeningOptions = {},
): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(command, args, {
    env: options.replaceEnv ? env : { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), timeoutMs);
    const check = () => {
      const m = /listening on (https?:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    output: () => out,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      // A server that has not finished its graceful shutdown in 30 s (a busy machine) is killed.
      const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const [code] = await once(child, "exit");
      clearTimeout(killer);
      return code as number | null;
    },
  };
}

/** Runs the CLI to completion. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const [code] = await once(child, "exit");
  return { code: code as number | null, output };
}

/**
 * A Postgres URL whose connections use the given schema and, optionally, call themselves
 * applicationName (to find them in pg_stat_activity) and take more settings (`-c name=value`).
 */
export function postgresUrlWithSchema(
  url: string,
  schema: string,
  extra: { applicationName?: string; settings?: Record<string, string> } = {},
): string {
  const u = new URL(url);
  const settings = Object.entries(extra.settings ?? {}).map(([name, value]) => ` -c ${name}=${value}`);
  u.searchParams.set("options", `-c search_path=${schema}${settings.join("")}`);
  if (extra.applicationName) u.searchParams.set("application_name", extra.applicationName);
  return u.toString();
}
