import { Writable } from "node:stream";
import { expect } from "vitest";
import { runClientCommand } from "../../src/cli/run-client-command.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A client command running in this process (watch), with its output so far. */
export interface RunningCli {
  stdout(): string;
  stderr(): string;
  /** Resolves when the output satisfies cond; fails after timeoutMs, showing what came (a hung stream fails the test). */
  until(cond: (stdout: string) => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Stops the command as Ctrl-C does and returns how it ended. */
  stop(): Promise<CliResult>;
  /** How the command ended by itself. */
  done: Promise<CliResult>;
}

/** A writable stream that hands each chunk, as text, to append (captured command output). */
export function textSink(append: (s: string) => void): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      append(String(chunk));
      done();
    },
  });
}

/** Starts a client command of the CLI in this process (fast), with its output captured. */
export function startClientInProcess(args: string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  let stdout = "";
  let stderr = "";
  const stop = new AbortController();
  const done = runClientCommand(
    args,
    { USER: "", ...env },
    {
      stdout: textSink((s) => (stdout += s)),
      stderr: textSink((s) => (stderr += s)),
      signal: stop.signal,
    },
  ).then((code) => ({ code, stdout, stderr }));
  let ended = false;
  void done.then(() => (ended = true));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    async until(cond, what, timeoutMs = 4_000) {
      const deadline = Date.now() + timeoutMs;
      while (!cond(stdout)) {
        if (ended || Date.now() > deadline) {
          throw new Error(
            `${ended ? "the command ended" : `timed out after ${timeoutMs} ms`} before ${what}; stdout:\n${stdout}\nstderr:\n${stderr}`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: () => (stop.abort(), done),
    done,
  };
}

/** Runs a client command of the CLI in this process (fast) to completion, with its output captured. */
export function runClientInProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return startClientInProcess(args, env).done;
}

/** Checks that every line of a table starts its columns where the header's column names start. */
export function columnStarts(table: string): number[][] {
  const lines = table.trimEnd().split("\n");
  const header = lines[0]!;
  const starts = [...header.matchAll(/(?:^| {2})(\S)/g)].map((m) => m.index! + (m[0].length - 1));
  return lines.map((line) => starts.filter((i) => line[i] !== undefined && line[i] !== " " && (i === 0 || line[i - 1] === " ")));
}

/** Expects every line of the table to start a column wherever its header does. */
export function expectAligned(table: string): void {
  const [header, ...rows] = columnStarts(table);
  for (const row of rows) expect(row).toEqual(header);
}
