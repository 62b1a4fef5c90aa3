import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const HAS_TASKSET = spawnSync("taskset", ["--version"]).status === 0;

/** A Node child process (TypeScript through tsx) that answers requests over IPC. */
export interface Child {
  process: ChildProcess;
  /** The first message the child sent (it sends one when ready). */
  ready: Promise<Record<string, unknown>>;
  request<T>(message: Record<string, unknown>): Promise<T>;
  /** Kills the child if it is still running. */
  kill(): void;
}

/** Children still running: never leave a pinned server or generator behind when the coordinator ends. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Whether children can be pinned to a core. */
export const canPin = HAS_TASKSET;

/**
 * Starts bench/<file> in its own process, pinned to `cpu` when taskset is available (server on
 * one core, load on the other, so they never compete for a core).
 */
export function startChild(file: string, args: string[], options: { cpu?: number; nodeArgs?: string[] } = {}): Child {
  const script = fileURLToPath(new URL(file, import.meta.url));
  const node = [...(options.nodeArgs ?? []), "--import", "tsx", script, ...args];
  const pinned = HAS_TASKSET && options.cpu !== undefined;
  const child = spawn(pinned ? "taskset" : process.execPath, pinned ? ["-c", String(options.cpu), process.execPath, ...node] : node, {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let readyResolve: (v: Record<string, unknown>) => void;
  let readyReject: (e: Error) => void;
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  child.on("message", (message: any) => {
    if (message?.ready) return readyResolve(message);
    const waiter = pending.get(message?.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error !== undefined) waiter.reject(new Error(`${file}: ${message.error}`));
    else waiter.resolve(message.result);
  });
  child.on("error", (error) => readyReject(error));
  child.on("exit", (code, signal) => {
    const error = new Error(`${file} exited (${signal ?? code})`);
    readyReject(error);
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  });
  return {
    process: child,
    ready,
    request<T>(message: Record<string, unknown>): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        if (!child.connected) return reject(new Error(`${file} is not running`));
        pending.set(id, { resolve, reject });
        child.send({ ...message, id }, (error) => {
          if (!error) return;
          pending.delete(id);
          reject(error);
        });
      });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}
