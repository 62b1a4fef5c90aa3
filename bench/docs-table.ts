import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The performance table of docs/performance.md, made from the benchmark's own result files, so
 * it is never typed by hand: for each goal, the rows of the newest run that measured it, a full
 * run (`bench/results/<date>.md`) or a partial one (`<date>-<what>.md`, e.g.
 * 2026-12-06-cli-start.md); on one date the run that started last (its heading's time) is the
 * newest, and without times a partial run counts as newer than the full one.
 * `-quick` runs are smoke tests and never count. Rows carry their plain description, not the
 * goal number.
 *
 * `npm run bench:docs` rewrites the table between the markers; test/docs checks it is current.
 */

export const RESULTS_DIR = fileURLToPath(new URL("results/", import.meta.url));
export const DOCS_PAGE = fileURLToPath(new URL("../docs/performance.md", import.meta.url));
const START = "<!-- bench-table:start (npm run bench:docs writes this table from bench/results) -->";
const END = "<!-- bench-table:end -->";

interface ResultRow {
  goal: string;
  cells: string[];
  source: string;
}

/** The table rows of one result file: goal number first, then the other cells. */
function rowsOf(file: string): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const line of readFileSync(join(RESULTS_DIR, file), "utf8").split("\n")) {
    const m = /^\| (\d+)(?: \(ref\))? \| (.*) \|$/.exec(line);
    if (m) rows.push({ goal: m[1]!, cells: m[2]!.split(" | "), source: file });
  }
  return rows;
}

/** When a run started, from its heading (`# Benchmark <ISO time>`); "" when it has none. */
function startOf(file: string): string {
  const m = /^# Benchmark (\S+)/.exec(readFileSync(join(RESULTS_DIR, file), "utf8"));
  return m?.[1] ?? "";
}

/** The rows the docs show: each goal's rows from the newest run that measured it. */
export function docsRows(files = readdirSync(RESULTS_DIR)): ResultRow[] {
  const results = files.filter((f) => /^\d{4}-\d{2}-\d{2}(-[a-z0-9-]+)?\.md$/.test(f) && !f.endsWith("-quick.md"));
  // Newest first: by the time the run started (its heading), else by date, and on one date a
  // partial run (<date>-<what>.md) before the full run.
  const started = new Map(results.map((f) => [f, startOf(f)]));
  const newestFirst = results
    .sort((a, b) =>
      a.slice(0, 10) !== b.slice(0, 10)
        ? a.localeCompare(b)
        : started.get(a)!.localeCompare(started.get(b)!) || a.length - b.length || a.localeCompare(b),
    )
    .reverse();
  const rows: ResultRow[] = [];
  const covered = new Set<string>();
  for (const file of newestFirst) {
    const fresh = rowsOf(file).filter((r) => !covered.has(r.goal));
    rows.push(...fresh);
    for (const r of new Set(fresh.map((f) => f.goal))) covered.add(r);
  }
  return rows.sort((a, b) => Number(a.goal) - Number(b.goal));
}

/** The markdown table, with the result files it came from. */
export function renderDocsTable(rows = docsRows()): string {
  const sources = [...new Set(rows.map((r) => r.source))].map((s) => `\`bench/results/${s}\``).join(", ");
  return [
    START,
    `From ${sources}.`,
    "",
    "| What | Baseline (A) | Measured (B) | Result | Target | Status |",
    "|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.cells.join(" | ")} |`),
    END,
  ].join("\n");
}

/** docs/performance.md with its table replaced by the current one. */
export function withCurrentTable(page: string): string {
  const start = page.indexOf(START);
  const end = page.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/performance.md has no table markers (${START} … ${END})`);
  return page.slice(0, start) + renderDocsTable() + page.slice(end + END.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(DOCS_PAGE, withCurrentTable(readFileSync(DOCS_PAGE, "utf8")));
  process.stdout.write(`wrote the table of ${DOCS_PAGE}\n`);
}
