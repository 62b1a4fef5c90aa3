import type { Counters, ImportProgress, SnapshotInfo, TransferRecord, TransferStore } from "../../../registry/ports/transfer-store.js";
import type { StoreDialect } from "../dialect.js";
import { exportSnapshot, readCounters, readMigrations } from "./dump.js";
import { beginImport, finishImport, importBatch, raiseCounters, readImportProgress } from "./load.js";
import { type TableColumns, tableColumns } from "./tables.js";

/** TransferStore over one dialect's Kysely instance (its own connection or pool, not the server's). */
export class KyselyTransferStore implements TransferStore {
  private columns: TableColumns | undefined;

  constructor(private readonly impl: StoreDialect) {}

  get dialect() {
    return this.impl.name;
  }

  async exportSnapshot(onInfo: (info: SnapshotInfo) => Promise<void>, onRecord: (record: TransferRecord) => Promise<void>): Promise<void> {
    await this.classified(async () => exportSnapshot(this.impl, await this.tableColumns(), onInfo, onRecord));
  }

  migrations(): Promise<string[]> {
    return this.classified(() => readMigrations(this.impl.db));
  }

  counters(): Promise<Counters> {
    return this.classified(() => readCounters(this.impl.db));
  }

  importProgress(): Promise<ImportProgress | undefined> {
    return this.classified(() => readImportProgress(this.impl.db));
  }

  beginImport(exportId: string, counters: Counters): Promise<void> {
    return this.classified(() => beginImport(this.impl.db, exportId, counters));
  }

  importBatch(exportId: string, records: TransferRecord[], recordsApplied: number): Promise<void> {
    return this.classified(async () => importBatch(this.impl.db, await this.tableColumns(), exportId, records, recordsApplied));
  }

  finishImport(exportId: string): Promise<void> {
    return this.classified(() => finishImport(this.impl.db, exportId));
  }

  raiseCounters(counters: Counters): Promise<Counters> {
    return this.classified(() => raiseCounters(this.impl.db, counters));
  }

  async close(): Promise<void> {
    await this.impl.db.destroy();
  }

  private async tableColumns(): Promise<TableColumns> {
    this.columns ??= await tableColumns(this.impl.db, this.impl.name);
    return this.columns;
  }

  /** Driver errors as StoreErrors (unique violations, an unreachable database); others unchanged. */
  private async classified<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.impl.classifyError(error) ?? error;
    }
  }
}
