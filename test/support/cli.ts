import { Writable } from "node:stream";
import { runClientCommand } from "../../src/cli/run-client-command.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a client command of the CLI in this process (fast), with its output captured. */
export async function runClientInProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await runClientCommand(args, { USER: "", ...env }, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
  });
  return { code, stdout, stderr };
}

/** Checks that every line of a table starts its columns where the header's column names start. */
export function columnStarts(table: string): number[][] {
  const lines = table.trimEnd().split("\n");
  const header = lines[0]!;
  const starts = [...header.matchAll(/(?:^|  )(\S)/g)].map((m) => m.index! + (m[0].length - 1));
  return lines.map((line) => starts.filter((i) => line[i] !== undefined && line[i] !== " " && (i === 0 || line[i - 1] === " ")));
}
