import type { Int, NullableInt } from "../sql/base-tables.js";

/** Kysely table types of aliases and their history (migration 0003-lifecycle). */

/** One row per alias; unique (model_id, alias) backs the compare-and-set. */
export interface ModelAliasesTable {
  id: Int;
  model_id: Int;
  alias: string;
  version_id: Int;
  create_time: Int;
  update_time: Int;
  revision: Int;
}

/** Every move of every alias, in revision order. */
export interface AliasHistoryTable {
  id: Int;
  revision: Int;
  model_id: Int;
  alias: string;
  /** SET or DELETED. */
  type: string;
  version_id: NullableInt;
  version: string;
  previous_version_id: NullableInt;
  previous_version: string;
  actor: string;
  reason: string;
  time: Int;
}

export interface AliasTables {
  model_aliases: ModelAliasesTable;
  alias_history: AliasHistoryTable;
}
