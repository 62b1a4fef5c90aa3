import { existsSync, renameSync, rmSync } from "node:fs";
import SqliteDatabase from "better-sqlite3";

/**
 * SQLite database files as wholes: online backup, the "is a server using it" check, and the
 * file swap of a restore. The registry runs SQLite in WAL mode, so a file is only consistent
 * together with its `-wal` (and `-shm`) companions; these functions never copy the files with
 * cp: they go through SQLite's online backup API, which reads a consistent snapshot while a
 * server keeps writing.
 */

/** Pages copied per backup step while the source is not being written to (4 MiB of 4 KiB pages). */
const PAGES_PER_STEP = 1024;
/** "Everything that is left": one step, one read transaction, so concurrent writes cannot restart it. */
const ALL_PAGES = 0x7fffffff;

export type CopyProgress = (copiedPages: number, totalPages: number) => void;

/**
 * Copies the database at `source` into a new file `dest` with the online backup API, while other
 * connections (a running server) may read and write it. The copy is written beside `dest` and
 * renamed into place once it is complete and checked, so `dest` is never a partial file; it is a
 * single self-contained file (rollback-journal mode, no `-wal`).
 */
export async function backupSqliteFile(source: string, dest: string, onProgress: CopyProgress): Promise<{ revision: number }> {
  if (!existsSync(source)) throw new Error(`no database at ${source}`);
  if (existsSync(dest)) throw new Error(`${dest} exists: choose a new file (a backup never overwrites one)`);
  const partial = `${dest}.partial`;
  rmSync(partial, { force: true });
  const db = openForReading(source);
  try {
    let remaining = Number.POSITIVE_INFINITY;
    await db.backup(partial, {
      progress({ totalPages, remainingPages }) {
        onProgress(totalPages - remainingPages, totalPages);
        // A write by another connection restarts the backup (remaining grows again): then copy the
        // rest in one step, inside one read transaction, which writes cannot interrupt.
        const restarted = remainingPages > remaining;
        remaining = remainingPages;
        return restarted ? ALL_PAGES : PAGES_PER_STEP;
      },
    });
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  let revision: number;
  try {
    revision = sealCopy(partial);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  renameSync(partial, dest);
  return { revision };
}

/** Copies a backup file to `dest` (replaced if there) through the backup API, for a restore to finish and swap in. */
export async function copySqliteFile(source: string, dest: string, onProgress: CopyProgress): Promise<void> {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${dest}${suffix}`, { force: true });
  const db = openForReading(source);
  try {
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new Error(`${source} is damaged: ${String(check)}`);
    await db.backup(dest, {
      progress({ totalPages, remainingPages }) {
        onProgress(totalPages - remainingPages, totalPages);
        return PAGES_PER_STEP;
      },
    });
  } finally {
    db.close();
  }
}

/**
 * True when another connection has the database open: a server holds its connection for its
 * whole life, and in WAL mode that blocks the exclusive lock tried here (without waiting).
 */
export function sqliteFileInUse(path: string): boolean {
  if (!existsSync(path)) return false;
  const db = new SqliteDatabase(path, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("COMMIT");
    return false;
  } catch (error) {
    if (error instanceof SqliteDatabase.SqliteError && error.code.startsWith("SQLITE_BUSY")) return true;
    throw error;
  } finally {
    db.close();
  }
}

/**
 * Moves the database at `path` aside to `${path}.before-restore-<time>` (its WAL folded in first,
 * so the kept file is whole) and puts `replacement` in its place. Returns where the old file went.
 */
export function swapSqliteFile(path: string, replacement: string): string | undefined {
  let kept: string | undefined;
  if (existsSync(path)) {
    const db = new SqliteDatabase(path, { fileMustExist: true });
    try {
      db.pragma("wal_checkpoint(TRUNCATE)");
      db.pragma("journal_mode = DELETE");
    } finally {
      db.close();
    }
    kept = `${path}.before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    renameSync(path, kept);
  }
  for (const suffix of ["-wal", "-shm", "-journal"]) rmSync(`${path}${suffix}`, { force: true });
  renameSync(replacement, path);
  return kept;
}

/** Read-only when SQLite can (it needs the `-shm` of a WAL database), else an ordinary connection that writes nothing. */
function openForReading(path: string): SqliteDatabase.Database {
  try {
    const db = new SqliteDatabase(path, { readonly: true, fileMustExist: true });
    db.pragma("schema_version");
    return db;
  } catch (error) {
    if (!(error instanceof SqliteDatabase.SqliteError) || !error.code.startsWith("SQLITE_CANTOPEN")) throw error;
    return new SqliteDatabase(path, { fileMustExist: true });
  }
}

/** Makes a fresh copy one self-contained file, checks it, and returns the revision it holds. */
function sealCopy(path: string): number {
  const db = new SqliteDatabase(path, { fileMustExist: true });
  try {
    db.pragma("journal_mode = DELETE");
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new Error(`the copy failed its check: ${String(check)}`);
    const meta = db.prepare("select revision from meta where id = 1").get() as { revision: number } | undefined;
    if (!meta) throw new Error("the database holds no registry (no meta row)");
    return Number(meta.revision);
  } finally {
    db.close();
  }
}
