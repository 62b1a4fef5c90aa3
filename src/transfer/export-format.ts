import type { Counters, TransferRecord, TransferValue } from "../registry/ports/transfer-store.js";

/**
 * The export file: JSON Lines. The first line is the header (format, the export's id, the
 * source's schema and counters, and how many rows each table has), then one line per row of each
 * table (`{"table": …, "row": {column: value}}`, parents before children, each table in primary-key
 * order), and last an end line with the number of rows, so a truncated file is recognised.
 * Integers beyond 2^53 are decimal strings; times are epoch milliseconds; the event log's
 * snapshots are the JSON text the registry stores. docs/operations.md describes every table.
 */
export const EXPORT_FORMAT = "model-registry-export";
export const EXPORT_FORMAT_VERSION = 1;

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  version: number;
  /** Random: an import resumes only the export it started. */
  exportId: string;
  exportedAt: string;
  dialect: "sqlite" | "postgres";
  /** The source's applied migrations: the import loads into exactly this schema. */
  migrations: string[];
  /** The source's counters when the snapshot was taken. */
  counters: Counters;
  /** Rows per table, in file order. */
  tables: Record<string, number>;
}

export interface ExportEnd {
  end: true;
  records: number;
}

/** A line that is not what its position in the file requires. */
export class ExportFormatError extends Error {
  override name = "ExportFormatError";
}

export function parseHeader(line: string | undefined): ExportHeader {
  const value = parseLine(line ?? "", 1);
  if (!isObject(value) || value.format !== EXPORT_FORMAT) {
    throw new ExportFormatError(`line 1 is not the header of a ${EXPORT_FORMAT} file`);
  }
  if (value.version !== EXPORT_FORMAT_VERSION) {
    throw new ExportFormatError(
      `export format version ${String(value.version)} is not supported (this release reads version ${EXPORT_FORMAT_VERSION})`,
    );
  }
  const { exportId, migrations, counters, tables } = value;
  const valid =
    typeof exportId === "string" &&
    Array.isArray(migrations) &&
    isObject(counters) &&
    [counters.revision, counters.lastId, counters.compactedRevision].every(Number.isSafeInteger) &&
    isObject(tables);
  if (!valid) throw new ExportFormatError("line 1: the header lacks exportId, migrations, counters or tables");
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_FORMAT_VERSION,
    exportId,
    exportedAt: String(value.exportedAt ?? ""),
    dialect: value.dialect === "postgres" ? "postgres" : "sqlite",
    migrations: migrations.map(String),
    counters: { revision: Number(counters.revision), lastId: Number(counters.lastId), compactedRevision: Number(counters.compactedRevision) },
    tables: Object.fromEntries(Object.entries(tables).map(([table, n]) => [table, Number(n)])),
  };
}

/** A row line, or the end line. */
export function parseBody(line: string, lineNumber: number): TransferRecord | ExportEnd {
  const value = parseLine(line, lineNumber);
  if (isObject(value) && value.end === true && Number.isSafeInteger(value.records)) return { end: true, records: Number(value.records) };
  if (!isObject(value) || typeof value.table !== "string" || !isObject(value.row)) {
    throw new ExportFormatError(`line ${lineNumber} is not a {"table", "row"} record`);
  }
  const row: Record<string, TransferValue> = {};
  for (const [column, v] of Object.entries(value.row)) {
    if (v !== null && typeof v !== "string" && typeof v !== "number") {
      throw new ExportFormatError(`line ${lineNumber}: ${value.table}.${column} is neither a string, a number nor null`);
    }
    row[column] = v;
  }
  return { table: value.table, row };
}

function parseLine(line: string, lineNumber: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new ExportFormatError(`line ${lineNumber} is not JSON`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
