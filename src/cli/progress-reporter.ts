import type { Progress } from "../transfer/progress.js";

export type ProgressMode = "auto" | "bar" | "json" | "off";

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** JSON lines at most this often by default (and at each phase's start and end). */
const JSON_INTERVAL_MS = 250;
/** Redraws of the bar at most this often. */
const BAR_INTERVAL_MS = 100;

/**
 * Progress of a long operation on stderr: a bar redrawn in place on a terminal, else one JSON
 * object per line (`{"operation","phase","done","total"}`), which a log collector or a test can
 * read. "auto" picks by whether the stream is a terminal.
 */
export function createProgressReporter(
  operation: string,
  stream: ProgressStream,
  mode: ProgressMode = "auto",
  options: { intervalMs?: number | undefined; now?: () => number } = {},
): Progress {
  const now = options.now ?? (() => Date.now());
  const style = mode === "auto" ? (stream.isTTY ? "bar" : "json") : mode;
  if (style === "off") return { phase: () => {}, update: () => {}, end: () => {} };
  let phase = "";
  let total = 0;
  let done = 0;
  let last = 0;
  let drawn = false;
  const json = () => stream.write(`${JSON.stringify({ operation, phase, done, total })}\n`);
  const bar = () => {
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 50));
    const share = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(share * width);
    const percent = total > 0 ? `${Math.floor(share * 100)}%`.padStart(4) : "   ?";
    stream.write(`\r${operation} ${phase.padEnd(8)} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${percent} ${done}/${total || "?"}`);
    drawn = true;
  };
  const show = (force: boolean) => {
    const t = now();
    if (!force && t - last < (options.intervalMs ?? (style === "bar" ? BAR_INTERVAL_MS : JSON_INTERVAL_MS))) return;
    last = t;
    if (style === "bar") bar();
    else json();
  };
  return {
    phase(name, units) {
      if (drawn) stream.write("\n");
      drawn = false;
      phase = name;
      total = units;
      done = 0;
      show(true);
    },
    update(units) {
      done = units;
      show(units === total);
    },
    end() {
      if (style === "bar" && drawn) stream.write("\n");
      drawn = false;
    },
  };
}
