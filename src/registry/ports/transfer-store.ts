/**
 * The store operations behind backup, restore, export and import: whole tables in and out, and
 * the counters (revision, last id, compacted revision) that must move past anything a source
 * issued. Implemented over Kysely in store/kysely/transfer/; used only by the use cases in
 * src/transfer/.
 */

/** A column value as it travels in an export: integers beyond 2^53 as decimal strings. */
export type TransferValue = string | number | null;

/** One row of one table. */
export interface TransferRecord {
  table: string;
  row: Record<string, TransferValue>;
}

/** The meta row's counters. */
export interface Counters {
  /** The last revision issued. */
  revision: number;
  /** The last id issued (every resource's id comes from this one sequence). */
  lastId: number;
  /** Watch and resume refuse positions below this (OUT_OF_RANGE). */
  compactedRevision: number;
}

/** What a snapshot holds before its rows are read: counters, schema and row counts (for progress). */
export interface SnapshotInfo {
  counters: Counters;
  /** Applied migrations, oldest first. */
  migrations: string[];
  /** Rows per table, in export order. */
  rows: Array<{ table: string; count: number }>;
}

/** An import in progress or finished on this database. */
export interface ImportProgress {
  exportId: string;
  recordsApplied: number;
  finished: boolean;
}

export interface TransferStore {
  readonly dialect: "sqlite" | "postgres";
  /** Reads every exported table in one consistent snapshot: info first, then each row in order. */
  exportSnapshot(onInfo: (info: SnapshotInfo) => Promise<void>, onRecord: (record: TransferRecord) => Promise<void>): Promise<void>;
  /** Applied migrations, oldest first. */
  migrations(): Promise<string[]>;
  counters(): Promise<Counters>;
  /** The import recorded on this database, if any. */
  importProgress(): Promise<ImportProgress | undefined>;
  /**
   * In one transaction: checks that nothing was ever written here (no revision, no id, no rows),
   * records the import as started and sets the counters. Throws NotEmptyError otherwise.
   */
  beginImport(exportId: string, counters: Counters): Promise<void>;
  /** Inserts records and raises the import's applied count to recordsApplied, in one transaction. */
  importBatch(exportId: string, records: TransferRecord[], recordsApplied: number): Promise<void>;
  finishImport(exportId: string): Promise<void>;
  /** Raises the counters to at least these (never lowers one), in one transaction; returns the result. */
  raiseCounters(counters: Counters): Promise<Counters>;
  close(): Promise<void>;
}

/** Import into a database that already holds a registry (or another import). */
export class NotEmptyError extends Error {
  override name = "NotEmptyError";
}

/** A record that does not fit the database's tables (an export of another schema, or an edited file). */
export class ImportRecordError extends Error {
  override name = "ImportRecordError";
}
