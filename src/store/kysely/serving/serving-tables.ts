import type { Int, NullableInt } from "../sql/base-tables.js";

/** Kysely table types of serving environments and inference services (migration 0003-lifecycle). */

export interface ServingEnvironmentsTable {
  id: Int;
  display_name: string;
  description: string;
  create_time: Int;
  update_time: Int;
  revision: Int;
}

/** Spec (what should run) and status (what a controller reported) of an inference service. */
export interface InferenceServicesTable {
  id: Int;
  environment_id: Int;
  display_name: string;
  description: string;
  model_id: Int;
  version_id: NullableInt;
  alias: string;
  runtime: string;
  desired_state: string;
  spec_revision: Int;
  status_version_id: NullableInt;
  status_ready: Int;
  status_url: string;
  status_observed_revision: Int;
  status_message: string;
  status_time: NullableInt;
  status_reporter: string;
  create_time: Int;
  update_time: Int;
  revision: Int;
}

export interface ServingTables {
  serving_environments: ServingEnvironmentsTable;
  inference_services: InferenceServicesTable;
}
