import type { Int } from "../sql/base-tables.js";

/** Kysely table types of model versions (migration 0001-init). */

export interface ModelVersionsTable {
  id: Int;
  model_id: Int;
  version: string;
  description: string;
  author: string;
  state: string;
  create_time: Int;
  update_time: Int;
  revision: Int;
}

export interface VersionTables {
  model_versions: ModelVersionsTable;
}
