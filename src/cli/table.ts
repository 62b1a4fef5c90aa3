/** Formats rows as an aligned text table: a header line, then one line per row, columns two spaces apart. */
export function formatTable(headers: string[], rows: string[][]): string {
  const cells = [headers, ...rows].map((row) => row.map((c) => (c === "" ? "-" : oneLine(c))));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => width(row[i] ?? ""))));
  return cells
    .map((row) =>
      row
        .map((c, i) => (i === row.length - 1 ? c : c + " ".repeat(widths[i]! - width(c))))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Formats label/value pairs as aligned `label:  value` lines. */
export function formatFields(fields: [string, string][]): string {
  const w = Math.max(...fields.map(([k]) => k.length)) + 1;
  return fields.map(([k, v]) => `${`${k}:`.padEnd(w)}  ${v === "" ? "-" : oneLine(v)}`).join("\n");
}

/** Shortens text to at most n characters with an ellipsis. */
export function truncate(text: string, n: number): string {
  const s = oneLine(text);
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n\t]+/g, " ");
}

/** Display width in code points (enough for the names and values a registry holds). */
function width(s: string): number {
  return [...s].length;
}

/** A column of a table printed line by line: its heading, its width, and whether longer text is cut to fit. */
export interface FixedColumn {
  header: string;
  width: number;
  /** Cut longer text with an ellipsis (descriptions); otherwise it pushes the next column right (names). */
  truncate?: boolean;
}

/**
 * Formats one line of a table that is printed as it streams (`watch`), so it cannot be aligned
 * after the fact as formatTable does: column i starts at the sum of the widths before it plus two
 * spaces each. Text wider than a column that may not be cut pushes the next column right, and the
 * columns after it return to their places as soon as there is room. Empty cells print as "-".
 */
export function formatFixedRow(columns: FixedColumn[], cells: string[]): string {
  let line = "";
  let start = 0;
  columns.forEach((column, i) => {
    const raw = cells[i] ?? "";
    const cell = raw === "" ? "-" : column.truncate ? truncate(raw, column.width) : oneLine(raw);
    if (i > 0) line += " ".repeat(Math.max(2, start - width(line)));
    line += cell;
    start += column.width + 2;
  });
  return line.trimEnd();
}
