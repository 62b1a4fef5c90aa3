import type { Int } from "./schema.js";

/** Kysely table types of export/import bookkeeping (migration 0006-import-progress). */

/** The one row (id 1) of the import loading this database, when one ran. */
export interface ImportProgressTable {
  id: Int;
  /** The export's id (its header line): a re-run with the same file resumes, another file is refused. */
  export_id: string;
  /** Records of the export (after the header) committed so far. */
  records_applied: Int;
  /** 1 once every record is in and the counters were advanced. */
  finished: Int;
  update_time: Int;
}

export interface TransferTables {
  import_progress: ImportProgressTable;
}
