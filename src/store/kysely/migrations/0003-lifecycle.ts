import type { Kysely, Migration } from "kysely";

/**
 * Aliases with history, version lineage, experiments and runs, serving environments and
 * inference services (issue 6). Frozen in time: Kysely<any>, portable types, no dialect
 * defaults; ids come from meta.last_id, times are epoch millis set by the registry. Labels and
 * custom properties of the new resources live in the shared labels/properties tables (ids are global).
 */
export const migration0003Lifecycle: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("model_aliases")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("model_id", "bigint", (c) => c.notNull().references("registered_models.id"))
      .addColumn("alias", "text", (c) => c.notNull())
      .addColumn("version_id", "bigint", (c) => c.notNull().references("model_versions.id"))
      .addColumn("create_time", "bigint", (c) => c.notNull())
      .addColumn("update_time", "bigint", (c) => c.notNull())
      .addColumn("revision", "bigint", (c) => c.notNull())
      .addUniqueConstraint("model_aliases_model_id_alias_key", ["model_id", "alias"])
      .execute();
    await db.schema.createIndex("model_aliases_version_idx").on("model_aliases").columns(["version_id"]).execute();
    await db.schema.createIndex("model_aliases_create_time_idx").on("model_aliases").columns(["create_time", "id"]).execute();
    await db.schema.createIndex("model_aliases_model_create_time_idx").on("model_aliases").columns(["model_id", "create_time", "id"]).execute();

    await db.schema
      .createTable("alias_history")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("revision", "bigint", (c) => c.notNull())
      .addColumn("model_id", "bigint", (c) => c.notNull())
      .addColumn("alias", "text", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("version_id", "bigint")
      .addColumn("version", "text", (c) => c.notNull())
      .addColumn("previous_version_id", "bigint")
      .addColumn("previous_version", "text", (c) => c.notNull())
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .addColumn("time", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("alias_history_model_time_idx").on("alias_history").columns(["model_id", "time", "id"]).execute();
    await db.schema.createIndex("alias_history_model_alias_time_idx").on("alias_history").columns(["model_id", "alias", "time", "id"]).execute();
    await db.schema.createIndex("alias_history_time_idx").on("alias_history").columns(["time", "id"]).execute();

    await db.schema
      .createTable("experiments")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("owner", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("create_time", "bigint", (c) => c.notNull())
      .addColumn("update_time", "bigint", (c) => c.notNull())
      .addColumn("revision", "bigint", (c) => c.notNull())
      .addUniqueConstraint("experiments_display_name_key", ["display_name"])
      .execute();
    await db.schema.createIndex("experiments_create_time_idx").on("experiments").columns(["create_time", "id"]).execute();
    await db.schema.createIndex("experiments_update_time_idx").on("experiments").columns(["update_time", "id"]).execute();

    await db.schema
      .createTable("experiment_runs")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("experiment_id", "bigint", (c) => c.notNull().references("experiments.id"))
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("author", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("start_time", "bigint", (c) => c.notNull())
      .addColumn("end_time", "bigint")
      .addColumn("datasets", "text", (c) => c.notNull())
      .addColumn("create_time", "bigint", (c) => c.notNull())
      .addColumn("update_time", "bigint", (c) => c.notNull())
      .addColumn("revision", "bigint", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("experiment_runs_experiment_create_time_idx")
      .on("experiment_runs")
      .columns(["experiment_id", "create_time", "id"])
      .execute();
    await db.schema.createIndex("experiment_runs_create_time_idx").on("experiment_runs").columns(["create_time", "id"]).execute();

    await db.schema
      .createTable("run_params")
      .addColumn("run_id", "bigint", (c) => c.notNull().references("experiment_runs.id"))
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("value_type", "text", (c) => c.notNull())
      .addColumn("string_value", "text")
      .addColumn("int_value", "bigint")
      .addColumn("number_value", "double precision")
      .addColumn("bool_value", "bigint")
      .addColumn("struct_value", "text")
      .addPrimaryKeyConstraint("run_params_pkey", ["run_id", "key"])
      .execute();

    await db.schema
      .createTable("run_metrics")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("run_id", "bigint", (c) => c.notNull().references("experiment_runs.id"))
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("value", "double precision", (c) => c.notNull())
      .addColumn("step", "bigint", (c) => c.notNull())
      .addColumn("time", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("run_metrics_run_step_idx").on("run_metrics").columns(["run_id", "step", "id"]).execute();
    await db.schema.createIndex("run_metrics_run_key_step_idx").on("run_metrics").columns(["run_id", "key", "step", "id"]).execute();

    await db.schema
      .createTable("run_latest_metrics")
      .addColumn("run_id", "bigint", (c) => c.notNull().references("experiment_runs.id"))
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("value", "double precision", (c) => c.notNull())
      .addColumn("step", "bigint", (c) => c.notNull())
      .addColumn("metric_id", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("run_latest_metrics_pkey", ["run_id", "key"])
      .execute();

    // No foreign key to runs: a run deleted with force leaves the version's lineage naming it
    // (ids are never reused, so the name never points at another run).
    await db.schema
      .createTable("model_version_sources")
      .addColumn("version_id", "bigint", (c) => c.primaryKey().references("model_versions.id"))
      .addColumn("experiment_id", "bigint")
      .addColumn("run_id", "bigint")
      .addColumn("pipeline_run_id", "text", (c) => c.notNull())
      .addColumn("code_commit", "text", (c) => c.notNull())
      .addColumn("datasets", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("model_version_sources_run_idx").on("model_version_sources").columns(["run_id"]).execute();

    await db.schema
      .createTable("serving_environments")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("create_time", "bigint", (c) => c.notNull())
      .addColumn("update_time", "bigint", (c) => c.notNull())
      .addColumn("revision", "bigint", (c) => c.notNull())
      .addUniqueConstraint("serving_environments_display_name_key", ["display_name"])
      .execute();
    await db.schema.createIndex("serving_environments_create_time_idx").on("serving_environments").columns(["create_time", "id"]).execute();

    // model_id and the version ids carry no foreign key: a model or version deleted with force
    // leaves the service naming it (never reused), and the controller sees the DELETED event.
    await db.schema
      .createTable("inference_services")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("environment_id", "bigint", (c) => c.notNull().references("serving_environments.id"))
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("model_id", "bigint", (c) => c.notNull())
      .addColumn("version_id", "bigint")
      .addColumn("alias", "text", (c) => c.notNull())
      .addColumn("runtime", "text", (c) => c.notNull())
      .addColumn("desired_state", "text", (c) => c.notNull())
      .addColumn("spec_revision", "bigint", (c) => c.notNull())
      .addColumn("status_version_id", "bigint")
      .addColumn("status_ready", "bigint", (c) => c.notNull())
      .addColumn("status_url", "text", (c) => c.notNull())
      .addColumn("status_observed_revision", "bigint", (c) => c.notNull())
      .addColumn("status_message", "text", (c) => c.notNull())
      .addColumn("status_time", "bigint")
      .addColumn("status_reporter", "text", (c) => c.notNull())
      .addColumn("create_time", "bigint", (c) => c.notNull())
      .addColumn("update_time", "bigint", (c) => c.notNull())
      .addColumn("revision", "bigint", (c) => c.notNull())
      .addUniqueConstraint("inference_services_environment_id_display_name_key", ["environment_id", "display_name"])
      .execute();
    await db.schema
      .createIndex("inference_services_environment_create_time_idx")
      .on("inference_services")
      .columns(["environment_id", "create_time", "id"])
      .execute();
    await db.schema.createIndex("inference_services_create_time_idx").on("inference_services").columns(["create_time", "id"]).execute();
    await db.schema.createIndex("inference_services_model_idx").on("inference_services").columns(["model_id", "desired_state"]).execute();
    await db.schema.createIndex("inference_services_version_idx").on("inference_services").columns(["version_id"]).execute();
    await db.schema.createIndex("inference_services_status_version_idx").on("inference_services").columns(["status_version_id"]).execute();
  },
};
