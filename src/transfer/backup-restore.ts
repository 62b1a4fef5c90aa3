import { existsSync } from "node:fs";
import { sqlitePath } from "../store/kysely/open-store.js";
import { openTransferStore } from "../store/kysely/transfer/open-transfer-store.js";
import { backupSqliteFile, copySqliteFile, sqliteFileInUse, swapSqliteFile } from "../store/sqlite-files.js";
import type { Counters, TransferStore } from "../registry/ports/transfer-store.js";
import type { Progress } from "./progress.js";
import { countersPast } from "./revision-floor.js";

/** An operation this database cannot do (a Postgres backup, a server still running): the message says what to do instead. */
export class OperationRefusedError extends Error {
  override name = "OperationRefusedError";
}

export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//.test(database);
}

/**
 * Backs up a SQLite registry into a new file while it serves (SQLite's online backup API).
 * Postgres registries are backed up with pg_dump (docs/operations.md): refused with that advice.
 */
export async function backupRegistry(database: string, to: string, progress: Progress): Promise<{ revision: number }> {
  if (isPostgresUrl(database)) {
    throw new OperationRefusedError(
      "backup copies SQLite files; back up a Postgres registry with pg_dump, for example\n" +
        `  pg_dump --format=custom --file=registry.dump '${database.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@")}'\n` +
        "and restore it with pg_restore followed by `model-registry restore --database URL` (docs/operations.md)",
    );
  }
  const result = await backupSqliteFile(sqlitePath(database), to, pagesProgress("backup", progress));
  progress.end();
  return result;
}

export interface RestoreResult {
  /** The restored database's counters, advanced past the backup's and the replaced database's. */
  counters: Counters;
  /** Where the replaced SQLite file was kept. */
  kept?: string;
}

/**
 * Restores a registry. SQLite with `from`: copies the backup in place of the (stopped) server's
 * file, keeping the old file aside. The schema is left as the backup has it (a rollback restores
 * an older schema for an older server; a newer server migrates it when it starts). Without `from` (after pg_restore, or a file copied by hand):
 * works on the database as it is. Either way the counters then move past everything the backup
 * and the replaced database issued and older revisions count as compacted (revision-floor.ts):
 * Watch clients that saw later revisions get OUT_OF_RANGE and list again.
 */
export async function restoreRegistry(database: string, from: string | undefined, progress: Progress): Promise<RestoreResult> {
  if (isPostgresUrl(database)) {
    if (from !== undefined) {
      throw new OperationRefusedError(
        "restore --from copies SQLite files; restore a Postgres dump with pg_restore, then run `model-registry restore --database URL` " +
          "(without --from) to advance its revisions (docs/operations.md)",
      );
    }
    return { counters: await advance(await openTransferStore({ database, migrate: "none" }), []) };
  }
  const path = sqlitePath(database);
  if (sqliteFileInUse(path)) throw new OperationRefusedError(`${path} is in use (is a server running on it?): stop the server, then restore`);
  const replaced = existsSync(path) ? await countersOf(`sqlite:${path}`) : undefined;
  if (from === undefined) {
    if (!replaced) throw new OperationRefusedError(`no registry at ${path} to mark as restored; give the backup with --from FILE`);
    return { counters: await advance(await openTransferStore({ database, migrate: "none" }), [replaced]) };
  }
  const staging = `${path}.restoring`;
  await copySqliteFile(from, staging, pagesProgress("restore", progress));
  progress.end();
  const restored = await countersOf(`sqlite:${staging}`);
  if (!restored) throw new OperationRefusedError(`${from} holds no registry`);
  const counters = await advance(await openTransferStore({ database: `sqlite:${staging}`, migrate: "none" }), replaced ? [replaced] : []);
  const kept = swapSqliteFile(path, staging);
  return { counters, ...(kept ? { kept } : {}) };
}

/** Reports copied pages, starting the phase once the total is known. */
function pagesProgress(phase: string, progress: Progress): (copied: number, total: number) => void {
  let started = -1;
  return (copied, total) => {
    if (total !== started) {
      started = total;
      progress.phase(phase, total);
    }
    progress.update(copied);
  };
}

/** The counters of a registry file, or undefined when it holds none (or is damaged). */
async function countersOf(database: string): Promise<Counters | undefined> {
  let store: TransferStore | undefined;
  try {
    store = await openTransferStore({ database, migrate: "none", mustExist: true });
    return await store.counters();
  } catch {
    return undefined;
  } finally {
    await store?.close();
  }
}

/** Raises the store's counters past its own and the others', then closes it. */
async function advance(store: TransferStore, others: Counters[]): Promise<Counters> {
  try {
    return await store.raiseCounters(countersPast(await store.counters(), ...others));
  } finally {
    await store.close();
  }
}
