import type { Kysely, Migration } from "kysely";
import { createIndex, notNull, required, stamps, typedValue } from "./columns.js";

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
      .addColumn("alias", "text", notNull)
      .addColumn("version_id", "bigint", (c) => c.notNull().references("model_versions.id"))
      .$call(stamps)
      .addUniqueConstraint("model_aliases_model_id_alias_key", ["model_id", "alias"])
      .execute();
    await createIndex(db, "model_aliases", "model_aliases_version_idx", ["version_id"]);
    await createIndex(db, "model_aliases", "model_aliases_create_time_idx", ["create_time", "id"]);
    await createIndex(db, "model_aliases", "model_aliases_model_create_time_idx", ["model_id", "create_time", "id"]);

    await db.schema
      .createTable("alias_history")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .$call(required("bigint", "revision", "model_id"))
      .$call(required("text", "alias", "type"))
      .addColumn("version_id", "bigint")
      .addColumn("version", "text", notNull)
      .addColumn("previous_version_id", "bigint")
      .$call(required("text", "previous_version", "actor", "reason"))
      .addColumn("time", "bigint", notNull)
      .execute();
    await createIndex(db, "alias_history", "alias_history_model_time_idx", ["model_id", "time", "id"]);
    await createIndex(db, "alias_history", "alias_history_model_alias_time_idx", ["model_id", "alias", "time", "id"]);
    await createIndex(db, "alias_history", "alias_history_time_idx", ["time", "id"]);

    await db.schema
      .createTable("experiments")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .$call(required("text", "display_name", "description", "owner", "state"))
      .$call(stamps)
      .addUniqueConstraint("experiments_display_name_key", ["display_name"])
      .execute();
    await createIndex(db, "experiments", "experiments_create_time_idx", ["create_time", "id"]);
    await createIndex(db, "experiments", "experiments_update_time_idx", ["update_time", "id"]);

    await db.schema
      .createTable("experiment_runs")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("experiment_id", "bigint", (c) => c.notNull().references("experiments.id"))
      .$call(required("text", "display_name", "description", "author", "status"))
      .addColumn("start_time", "bigint", notNull)
      .addColumn("end_time", "bigint")
      .addColumn("datasets", "text", notNull)
      .$call(stamps)
      .execute();
    await createIndex(db, "experiment_runs", "experiment_runs_experiment_create_time_idx", ["experiment_id", "create_time", "id"]);
    await createIndex(db, "experiment_runs", "experiment_runs_create_time_idx", ["create_time", "id"]);

    await db.schema
      .createTable("run_params")
      .addColumn("run_id", "bigint", (c) => c.notNull().references("experiment_runs.id"))
      .addColumn("key", "text", notNull)
      .$call(typedValue)
      .addPrimaryKeyConstraint("run_params_pkey", ["run_id", "key"])
      .execute();

    await db.schema
      .createTable("run_metrics")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("run_id", "bigint", (c) => c.notNull().references("experiment_runs.id"))
      .addColumn("key", "text", notNull)
      .addColumn("value", "double precision", notNull)
      .$call(required("bigint", "step", "time"))
      .execute();
    await createIndex(db, "run_metrics", "run_metrics_run_step_idx", ["run_id", "step", "id"]);
    await createIndex(db, "run_metrics", "run_metrics_run_key_step_idx", ["run_id", "key", "step", "id"]);

    await db.schema
      .createTable("run_latest_metrics")
      .addColumn("run_id", "bigint", (c) => c.notNull().references("experiment_runs.id"))
      .addColumn("key", "text", notNull)
      .addColumn("value", "double precision", notNull)
      .$call(required("bigint", "step", "metric_id"))
      .addPrimaryKeyConstraint("run_latest_metrics_pkey", ["run_id", "key"])
      .execute();

    // No foreign key to runs: a run deleted with force leaves the version's lineage naming it
    // (ids are never reused, so the name never points at another run).
    await db.schema
      .createTable("model_version_sources")
      .addColumn("version_id", "bigint", (c) => c.primaryKey().references("model_versions.id"))
      .addColumn("experiment_id", "bigint")
      .addColumn("run_id", "bigint")
      .$call(required("text", "pipeline_run_id", "code_commit", "datasets"))
      .execute();
    await createIndex(db, "model_version_sources", "model_version_sources_run_idx", ["run_id"]);

    await db.schema
      .createTable("serving_environments")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .$call(required("text", "display_name", "description"))
      .$call(stamps)
      .addUniqueConstraint("serving_environments_display_name_key", ["display_name"])
      .execute();
    await createIndex(db, "serving_environments", "serving_environments_create_time_idx", ["create_time", "id"]);

    // model_id and the version ids carry no foreign key: a model or version deleted with force
    // leaves the service naming it (never reused), and the controller sees the DELETED event.
    await db.schema
      .createTable("inference_services")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("environment_id", "bigint", (c) => c.notNull().references("serving_environments.id"))
      .$call(required("text", "display_name", "description"))
      .addColumn("model_id", "bigint", notNull)
      .addColumn("version_id", "bigint")
      .$call(required("text", "alias", "runtime", "desired_state"))
      .addColumn("spec_revision", "bigint", notNull)
      .addColumn("status_version_id", "bigint")
      .addColumn("status_ready", "bigint", notNull)
      .addColumn("status_url", "text", notNull)
      .addColumn("status_observed_revision", "bigint", notNull)
      .addColumn("status_message", "text", notNull)
      .addColumn("status_time", "bigint")
      .addColumn("status_reporter", "text", notNull)
      .$call(stamps)
      .addUniqueConstraint("inference_services_environment_id_display_name_key", ["environment_id", "display_name"])
      .execute();
    await createIndex(db, "inference_services", "inference_services_environment_create_time_idx", ["environment_id", "create_time", "id"]);
    await createIndex(db, "inference_services", "inference_services_create_time_idx", ["create_time", "id"]);
    await createIndex(db, "inference_services", "inference_services_model_idx", ["model_id", "desired_state"]);
    await createIndex(db, "inference_services", "inference_services_version_idx", ["version_id"]);
    await createIndex(db, "inference_services", "inference_services_status_version_idx", ["status_version_id"]);
  },
};
