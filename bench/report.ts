import { cpus, loadavg, totalmem, release } from "node:os";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { canPin } from "./child.js";

/** Goals miss only beyond this tolerance (noise on shared machines). */
export const TOLERANCE = 0.15;

export interface Target {
  op: ">=" | "<=";
  value: number;
  /** How the target reads in the table, e.g. "≥ 0.7×". */
  text: string;
}

export type Status = "pass" | "pass~" | "FAIL" | "info" | "pending" | "skipped";

/** One line of the results table. */
export interface Row {
  goal: string;
  what: string;
  /** The baseline side (A) as measured. */
  baseline: string;
  /** The measured side (B). */
  measured: string;
  /** The figure the target applies to, formatted. */
  result: string;
  value: number;
  target: Target | null;
  status?: Status;
  note?: string;
}

/** Pass, pass within tolerance (pass~), or FAIL; rows without a target are informational. */
export function judge(row: Row): Row {
  if (row.status === "pending" || row.status === "skipped") return row;
  if (!row.target) return { ...row, status: "info" };
  const { op, value } = row.target;
  const v = row.value;
  if (!Number.isFinite(v)) return { ...row, status: "FAIL", note: row.note ?? "no measurement" };
  const ok = op === ">=" ? v >= value : v <= value;
  const tolerated = op === ">=" ? v >= value * (1 - TOLERANCE) : v <= value * (1 + TOLERANCE);
  return { ...row, status: ok ? "pass" : tolerated ? "pass~" : "FAIL" };
}

export const atLeast = (value: number, unit = "×"): Target => ({ op: ">=", value, text: `≥ ${value}${unit}` });
export const atMost = (value: number, unit = "×"): Target => ({ op: "<=", value, text: `≤ ${value}${unit}` });

/** Machine facts printed with every table: results only compare within one machine. */
export function machineInfo(sqliteVersion: string): string[] {
  const cpu = cpus();
  return [
    `CPU: ${cpu.length} × ${cpu[0]?.model ?? "unknown"}; RAM ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Linux ${release()}`,
    `Node ${process.version}; SQLite ${sqliteVersion}; load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
    canPin ? "server pinned to CPU 0, load generator to CPU 1 (taskset)" : "taskset not found: processes are not pinned",
  ];
}

export function renderTable(rows: Row[]): string {
  const head = ["Goal", "What", "Baseline (A)", "Measured (B)", "Result", "Target", "Status"];
  const lines = rows.map((r) => [r.goal, r.what, r.baseline, r.measured, r.result, r.target?.text ?? "", r.status ?? ""]);
  const escapeCell = (s: string) => s.replace(/\|/g, "\\|");
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...lines.map((l) => `| ${l.map(escapeCell).join(" | ")} |`)].join("\n");
}

/** The whole report as markdown. */
export function renderReport(options: { command: string; started: Date; seconds: number; machine: string[]; rows: Row[]; notes: string[] }): string {
  const failed = options.rows.filter((r) => r.status === "FAIL");
  const notes = options.rows.filter((r) => r.note).map((r) => `- Goal ${r.goal}, ${r.what}: ${r.note}`);
  return [
    `# Benchmark ${options.started.toISOString()}`,
    "",
    `Command: \`${options.command}\` (${options.seconds.toFixed(0)} s)`,
    "",
    ...options.machine.map((m) => `- ${m}`),
    "",
    renderTable(options.rows),
    "",
    `Status: pass = goal met; pass~ = missed by less than the ${TOLERANCE * 100}% tolerance; FAIL = missed beyond it; info = no goal.`,
    "Ratios are medians over alternating A/B slice pairs measured in the same run.",
    "",
    failed.length === 0
      ? "All goals hold (within tolerance)."
      : `Goals missed beyond tolerance: ${failed.map((r) => `${r.goal} (${r.what})`).join("; ")}.`,
    ...(notes.length || options.notes.length ? ["", "Notes:", ...notes, ...options.notes.map((n) => `- ${n}`)] : []),
    "",
  ].join("\n");
}

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");

/** Writes bench/results/<date>[-name][-quick].md through a .tmp file (no half-written results). */
export function writeReport(markdown: string, started: Date, quick: boolean, name?: string): string {
  if (name !== undefined && !/^[a-z0-9-]+$/.test(name)) throw new Error(`--name ${name}: use lowercase letters, digits and dashes`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const date = started.toISOString().slice(0, 10);
  const path = join(RESULTS_DIR, `${date}${name ? `-${name}` : ""}${quick ? "-quick" : ""}.md`);
  const tmp = `${path}.tmp`;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(tmp, markdown);
  renameSync(tmp, path);
  return path;
}
