import { type Kysely, sql } from "kysely";
import {
  type Counters,
  type ImportProgress,
  ImportRecordError,
  NotEmptyError,
  type TransferRecord,
  type TransferValue,
} from "../../../registry/ports/transfer-store.js";
import { toNumber } from "../sql/integers.js";
import type { Database } from "../schema.js";
import { readCounters } from "./dump.js";
import { EXPORT_TABLES, type TableColumns } from "./tables.js";

/** Bound parameters per INSERT (SQLite allows 32766, Postgres 65535). */
const MAX_PARAMETERS = 20_000;

/** Locks the meta row until the transaction ends (writers and other imports wait). */
async function lockMeta(trx: Kysely<Database>): Promise<Counters> {
  await trx.updateTable("meta").set({ revision: sql`revision` }).where("id", "=", 1).execute();
  return readCounters(trx);
}

export async function readImportProgress(db: Kysely<Database>): Promise<ImportProgress | undefined> {
  const row = await db.selectFrom("import_progress").selectAll().where("id", "=", 1).executeTakeFirst();
  if (!row) return undefined;
  return { exportId: row.export_id, recordsApplied: toNumber(row.records_applied), finished: toNumber(row.finished) !== 0 };
}

/** Starts an import: only on a database nothing was ever written to. */
export async function beginImport(db: Kysely<Database>, exportId: string, counters: Counters): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const current = await lockMeta(trx);
    const progress = await readImportProgress(trx);
    if (progress) throw new NotEmptyError(`the database already holds import ${progress.exportId}`);
    if (current.revision !== 0 || current.lastId !== 0) {
      throw new NotEmptyError(`the database is not empty: it has issued revisions up to ${current.revision} and ids up to ${current.lastId}`);
    }
    for (const { table } of EXPORT_TABLES) {
      const { rows } = await sql`select 1 as present from ${sql.table(table)} limit 1`.execute(trx);
      if (rows.length > 0) throw new NotEmptyError(`the database is not empty: table ${table} has rows`);
    }
    await trx
      .insertInto("import_progress")
      .values({ id: 1, export_id: exportId, records_applied: 0, finished: 0, update_time: Date.now() })
      .execute();
    await trx
      .updateTable("meta")
      .set({ revision: counters.revision, last_id: counters.lastId, compacted_revision: counters.compactedRevision })
      .where("id", "=", 1)
      .execute();
  });
}

/**
 * Inserts a batch and records how far the import got, in one transaction: a batch is in or out
 * as a whole. A batch at or before the recorded position was committed by an earlier run (killed
 * before it could tell) and is skipped.
 */
export async function importBatch(
  db: Kysely<Database>,
  columns: TableColumns,
  exportId: string,
  records: TransferRecord[],
  recordsApplied: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockMeta(trx);
    const progress = await readImportProgress(trx);
    if (!progress || progress.exportId !== exportId) throw new NotEmptyError("the database holds no import of this export");
    if (progress.recordsApplied >= recordsApplied) return;
    for (const group of byTable(records)) await insertRows(trx, columns, group.table, group.rows);
    await trx.updateTable("import_progress").set({ records_applied: recordsApplied, update_time: Date.now() }).where("id", "=", 1).execute();
  });
}

export async function finishImport(db: Kysely<Database>, exportId: string): Promise<void> {
  const result = await db
    .updateTable("import_progress")
    .set({ finished: 1, update_time: Date.now() })
    .where("id", "=", 1)
    .where("export_id", "=", exportId)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new NotEmptyError("the database holds no import of this export");
}

/** Raises each counter to at least the given value, never lowering one. */
export async function raiseCounters(db: Kysely<Database>, floor: Counters): Promise<Counters> {
  return db.transaction().execute(async (trx) => {
    const current = await lockMeta(trx);
    const next: Counters = {
      revision: Math.max(current.revision, floor.revision),
      lastId: Math.max(current.lastId, floor.lastId),
      compactedRevision: Math.max(current.compactedRevision, floor.compactedRevision),
    };
    await trx
      .updateTable("meta")
      .set({ revision: next.revision, last_id: next.lastId, compacted_revision: next.compactedRevision })
      .where("id", "=", 1)
      .execute();
    return next;
  });
}

/** Consecutive records of one table. */
function byTable(records: TransferRecord[]): Array<{ table: string; rows: Array<TransferRecord["row"]> }> {
  const groups: Array<{ table: string; rows: Array<TransferRecord["row"]> }> = [];
  for (const record of records) {
    const last = groups.at(-1);
    if (last && last.table === record.table) last.rows.push(record.row);
    else groups.push({ table: record.table, rows: [record.row] });
  }
  return groups;
}

/** Multi-row INSERTs of rows that name exactly the table's columns, values checked against the column kinds. */
async function insertRows(trx: Kysely<Database>, columns: TableColumns, table: string, rows: Array<TransferRecord["row"]>): Promise<void> {
  const kinds = columns.get(table);
  if (!kinds) throw new ImportRecordError(`unknown table "${table}"`);
  const names = [...kinds.keys()];
  const perInsert = Math.max(1, Math.floor(MAX_PARAMETERS / names.length));
  for (let start = 0; start < rows.length; start += perInsert) {
    const values = rows.slice(start, start + perInsert).map((row) => {
      const extra = Object.keys(row).filter((c) => !kinds.has(c));
      if (extra.length > 0) throw new ImportRecordError(`${table} has no column ${extra.join(", ")}`);
      return sql`(${sql.join(names.map((name) => sql`${bindValue(table, name, kinds.get(name)!, row[name])}`))})`;
    });
    await sql`insert into ${sql.table(table)} (${sql.join(names.map((n) => sql.ref(n)))}) values ${sql.join(values)}`.execute(trx);
  }
}

/** A value for its column: integers as decimal text (exact on both engines), doubles as numbers. */
function bindValue(table: string, column: string, kind: "integer" | "double" | "text", value: TransferValue | undefined): TransferValue {
  if (value === undefined) throw new ImportRecordError(`${table} row without column ${column}`);
  if (value === null) return null;
  if (kind === "integer") {
    const text = String(value);
    if (!/^-?\d+$/.test(text)) throw new ImportRecordError(`${table}.${column} is not an integer: ${JSON.stringify(value)}`);
    return text;
  }
  if (kind === "double") {
    if (typeof value !== "number") throw new ImportRecordError(`${table}.${column} is not a number: ${JSON.stringify(value)}`);
    return value;
  }
  if (typeof value !== "string") throw new ImportRecordError(`${table}.${column} is not a string: ${JSON.stringify(value)}`);
  return value;
}
