import { type Kysely, sql } from "kysely";
import type { Counters, SnapshotInfo, TransferRecord, TransferValue } from "../../../registry/ports/transfer-store.js";
import type { StoreDialect } from "../dialect.js";
import { toNumber } from "../sql/integers.js";
import type { Database } from "../schema.js";
import { type ColumnKind, EXPORT_TABLES, type TableColumns } from "./tables.js";

/** Rows per keyset page of an export. */
const PAGE_SIZE = 1000;

/**
 * Reads every exported table in one snapshot (Postgres: a read-only repeatable-read transaction;
 * SQLite: one read transaction, which in WAL mode neither blocks nor is blocked by the server's
 * writes), each in keyset pages over its primary key: a running registry can be exported.
 */
export async function exportSnapshot(
  dialect: StoreDialect,
  columns: TableColumns,
  onInfo: (info: SnapshotInfo) => Promise<void>,
  onRecord: (record: TransferRecord) => Promise<void>,
): Promise<void> {
  let tx = dialect.db.transaction();
  if (dialect.name === "postgres") tx = tx.setIsolationLevel("repeatable read").setAccessMode("read only");
  await tx.execute(async (trx) => {
    const counters = await readCounters(trx);
    const migrations = await readMigrations(trx);
    const rows: SnapshotInfo["rows"] = [];
    for (const { table } of EXPORT_TABLES) {
      const {
        rows: [count],
      } = await sql<{ n: number | string | bigint }>`select count(*) as n from ${sql.table(table)}`.execute(trx);
      rows.push({ table, count: toNumber(count?.n ?? 0) });
    }
    await onInfo({ counters, migrations, rows });
    for (const { table, key } of EXPORT_TABLES) {
      const kinds = columns.get(table)!;
      const keyRefs = sql.join(key.map((k) => sql.ref(k)));
      let after: unknown[] | undefined;
      for (;;) {
        const where = after ? sql`where (${keyRefs}) > (${sql.join(after)})` : sql``;
        const { rows: page } = await sql<
          Record<string, unknown>
        >`select * from ${sql.table(table)} ${where} order by ${keyRefs} limit ${PAGE_SIZE}`.execute(trx);
        for (const row of page) await onRecord({ table, row: encodeRow(row, kinds) });
        if (page.length < PAGE_SIZE) break;
        const last = page.at(-1)!;
        after = key.map((k) => last[k]);
      }
    }
  });
}

/** The meta row's counters. */
export async function readCounters(db: Kysely<Database>): Promise<Counters> {
  const meta = await db.selectFrom("meta").select(["revision", "last_id", "compacted_revision"]).where("id", "=", 1).executeTakeFirstOrThrow();
  return { revision: toNumber(meta.revision), lastId: toNumber(meta.last_id), compactedRevision: toNumber(meta.compacted_revision) };
}

/** Names of the applied migrations, oldest first (Kysely's bookkeeping table). */
export async function readMigrations(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from ${sql.table("kysely_migration")} order by name`.execute(db);
  return rows.map((r) => r.name);
}

/** A row as JSON values: integers as numbers when exact, else as decimal strings. */
function encodeRow(row: Record<string, unknown>, kinds: ReadonlyMap<string, ColumnKind>): Record<string, TransferValue> {
  const out: Record<string, TransferValue> = {};
  for (const [column, value] of Object.entries(row)) out[column] = encodeValue(value, kinds.get(column) ?? "text");
  return out;
}

function encodeValue(value: unknown, kind: ColumnKind): TransferValue {
  if (value === null || value === undefined) return null;
  if (kind === "integer") {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : String(value);
  }
  if (kind === "double") return Number(value);
  return String(value);
}
