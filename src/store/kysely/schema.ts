import type { AliasTables } from "./aliases/alias-tables.js";
import type { ArtifactTables } from "./artifacts/artifact-tables.js";
import type { BaseTables, Int } from "./sql/base-tables.js";
import type { EventTables } from "./events/event-tables.js";
import type { LineageTables } from "./lineage/lineage-tables.js";
import type { ModelTables } from "./models/model-tables.js";
import type { RecordTables } from "./records/record-tables.js";
import type { ServingTables } from "./serving/serving-tables.js";
import type { VersionTables } from "./versions/version-tables.js";
import type { WebhookTables } from "./webhooks/webhook-tables.js";

/**
 * The whole database as Kysely sees it: each resource declares its own tables (next to its
 * queries), and this is their union. Code of one resource types its queries with the tables it
 * reads (its own and those it joins), which Kysely<Database> is assignable to.
 */
export interface Database
  extends BaseTables,
    ModelTables,
    VersionTables,
    ArtifactTables,
    AliasTables,
    LineageTables,
    ServingTables,
    RecordTables,
    EventTables,
    WebhookTables,
    TransferTables {}

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
