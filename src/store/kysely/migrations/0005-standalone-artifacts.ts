import type { Kysely, Migration } from "kysely";
import { createIndex, MODEL_ARTIFACT_TEXT, required, stamps } from "./columns.js";

/**
 * Standalone model artifacts and the run attribution of artifacts (issue 14). Frozen in time:
 * Kysely<any>, portable types, no dialect defaults, the same statements on SQLite and Postgres.
 *
 * - model_artifacts: version_id and model_id become nullable. Kubeflow's clients create a model
 *   artifact first (`POST /model_artifacts`) and link it to a version later; until then it
 *   belongs to no version (its resource name is `artifacts/{id}`). SQLite cannot drop a NOT NULL
 *   constraint in place, so the table is rebuilt (create, copy, drop, rename) on both engines,
 *   in one transaction, with its indexes, plus (create_time, id) and (update_time, id) for the
 *   list of every model artifact. No other table refers to it.
 * - rest_artifact_runs: the experiment and run an artifact is attributed to (Kubeflow's
 *   experimentId / experimentRunId: the parent of an artifact logged under a run, or the fields
 *   of an artifact body), one row per artifact, so that filterQuery can select on them with an
 *   index. Backfilled from both sources.
 */
export const migration0005StandaloneArtifacts: Migration = {
  async up(db: Kysely<any>) {
    // Postgres runs each migration in a transaction already; SQLite (no transactional DDL in
    // Kysely's eyes) gets one here, so that a crash never leaves the table half rebuilt.
    if (db.isTransaction) await rebuild(db);
    else await db.transaction().execute(rebuild);
  },
};

const ARTIFACT_COLUMNS = ["id", "version_id", "model_id", ...MODEL_ARTIFACT_TEXT, "create_time", "update_time", "revision"];

async function rebuild(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("model_artifacts_0005")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("version_id", "bigint", (c) => c.references("model_versions.id"))
    .addColumn("model_id", "bigint", (c) => c.references("registered_models.id"))
    .$call(required("text", ...MODEL_ARTIFACT_TEXT))
    .$call(stamps)
    .execute();
  await db
    .insertInto("model_artifacts_0005")
    .columns([...ARTIFACT_COLUMNS])
    .expression(db.selectFrom("model_artifacts").select([...ARTIFACT_COLUMNS]))
    .execute();
  await db.schema.dropTable("model_artifacts").execute();
  await db.schema.alterTable("model_artifacts_0005").renameTo("model_artifacts").execute();
  await createIndex(db, "model_artifacts", "model_artifacts_version_create_time_idx", ["version_id", "create_time", "id"]);
  await createIndex(db, "model_artifacts", "model_artifacts_model_idx", ["model_id", "id"]);
  await createIndex(db, "model_artifacts", "model_artifacts_create_time_idx", ["create_time", "id"]);
  await createIndex(db, "model_artifacts", "model_artifacts_update_time_idx", ["update_time", "id"]);

  await db.schema
    .createTable("rest_artifact_runs")
    .addColumn("artifact_id", "bigint", (c) => c.primaryKey())
    .addColumn("experiment_id", "bigint")
    .addColumn("experiment_run_id", "bigint")
    .execute();
  await createIndex(db, "rest_artifact_runs", "rest_artifact_runs_run_idx", ["experiment_run_id", "artifact_id"]);
  await createIndex(db, "rest_artifact_runs", "rest_artifact_runs_experiment_idx", ["experiment_id", "artifact_id"]);
  await backfillRuns(db);
}

const ARTIFACT_EXTRAS_TYPES = ["ModelArtifact", "doc-artifact", "dataset-artifact", "metric", "parameter"];

/** Records under runs take their run; other artifacts the experimentId/experimentRunId of their extras. */
async function backfillRuns(db: Kysely<any>): Promise<void> {
  await db
    .insertInto("rest_artifact_runs")
    .columns(["artifact_id", "experiment_id", "experiment_run_id"])
    .expression(
      db
        .selectFrom("rest_artifacts as a")
        .innerJoin("experiment_runs as r", "r.id", "a.parent_id")
        .where("a.parent_type", "=", "run")
        .select(["a.id", "r.experiment_id", "r.id as run_id"]),
    )
    .execute();
  const attributed = new Set((await db.selectFrom("rest_artifact_runs").select("artifact_id").execute()).map((r) => String(r.artifact_id)));
  const extras = await db.selectFrom("rest_extras").select(["resource_id", "fields"]).where("resource_type", "in", ARTIFACT_EXTRAS_TYPES).execute();
  for (const row of extras) {
    if (attributed.has(String(row.resource_id))) continue;
    const fields = JSON.parse(row.fields as string) as Record<string, unknown>;
    const experimentId = decimal(fields.experimentId);
    const runId = decimal(fields.experimentRunId);
    if (experimentId === null && runId === null) continue;
    await db
      .insertInto("rest_artifact_runs")
      .values({ artifact_id: row.resource_id, experiment_id: experimentId, experiment_run_id: runId })
      .execute();
  }
}

const decimal = (value: unknown): string | null => (typeof value === "string" && /^[1-9][0-9]{0,15}$/.test(value) ? value : null);
