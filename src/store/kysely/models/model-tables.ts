import type { Int } from "../sql/base-tables.js";

/** Kysely table types of registered models and of RegisterModel's idempotency records (migration 0001-init). */

export interface RegisteredModelsTable {
  id: Int;
  display_name: string;
  description: string;
  owner: string;
  state: string;
  readme: string;
  create_time: Int;
  update_time: Int;
  /** Revision of the last change; the etag. */
  revision: Int;
}

/** RegisterModel request ids, for idempotent retries. */
export interface RegisterRequestsTable {
  request_id: string;
  request_hash: string;
  model_id: Int;
  version_id: Int;
  artifact_ids: string;
  create_time: Int;
}

export interface ModelTables {
  registered_models: RegisteredModelsTable;
  register_requests: RegisterRequestsTable;
}
