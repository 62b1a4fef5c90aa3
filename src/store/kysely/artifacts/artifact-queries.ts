import type { Kysely, Selectable } from "kysely";
import type { ArtifactState, ModelArtifact, Properties } from "../../../registry/core/types.js";
import type { ArtifactScope, ListQuery, ListResult } from "../../../registry/ports/store.js";
import type { ArtifactTables, ModelArtifactsTable } from "./artifact-tables.js";
import type { BaseTables } from "../sql/base-tables.js";
import type { ListSelect } from "../sql/dynamic-query.js";
import type { FilterTarget } from "../sql/filter-compiler.js";
import { time, toNumber } from "../sql/integers.js";
import { loadProperties, writeProperties } from "../sql/metadata.js";
import { type PageBase, readPage } from "../sql/page-query.js";
import { preparedIdsQuery, preparedInsert } from "../sql/prepared-query.js";

/** SQL of model artifacts. */

/** The tables the artifact queries use. */
export type ArtifactsDb = BaseTables & ArtifactTables;

/** Sortable and filterable columns of artifacts, by canonical attribute name. */
const ARTIFACT_COLUMNS: Record<string, string> = {
  id: "t.id",
  display_name: "t.display_name",
  description: "t.description",
  uri: "t.uri",
  model_format_name: "t.model_format_name",
  model_format_version: "t.model_format_version",
  storage_key: "t.storage_key",
  storage_path: "t.storage_path",
  service_account_name: "t.service_account_name",
  state: "t.state",
  digest: "t.digest",
  create_time: "t.create_time",
  update_time: "t.update_time",
};

/**
 * The experiment and run an artifact (a model artifact or a record) is attributed to: Kubeflow's
 * experimentId and experimentRunId, kept in rest_artifact_runs. Only the gateway's list specs
 * name these attributes; a comparison means "the artifact's row matches".
 */
export const ARTIFACT_RUN_RELATED: FilterTarget["related"] = {
  experiment_id: { table: "rest_artifact_runs", key: "artifact_id", value: "experiment_id" },
  experiment_run_id: { table: "rest_artifact_runs", key: "artifact_id", value: "experiment_run_id" },
};

// The point read of every Get and the insert of every registration, compiled once (see prepared-query.ts).
const ARTIFACTS_BY_IDS = preparedIdsQuery((db: Kysely<ArtifactsDb>, ids: readonly number[]) =>
  db.selectFrom("model_artifacts").selectAll().where("id", "in", ids),
);
const INSERT_ARTIFACT = preparedInsert<ArtifactsDb, "model_artifacts">("model_artifacts");

// The bases of the lists of artifacts, whose page queries are compiled once per shape (page-query.ts).
function artifactsIn(scope: ArtifactScope): PageBase<Selectable<ModelArtifactsTable>, ArtifactsDb> {
  const args = [scope.versionId, scope.modelId].filter((id): id is number => id !== undefined);
  const unlinked = scope.unlinked === true;
  return {
    key: `artifacts:${scope.versionId !== undefined}:${scope.modelId !== undefined}:${unlinked}`,
    args,
    build: (db, values) => {
      let base: ListSelect<Selectable<ModelArtifactsTable>> = db.selectFrom("model_artifacts as t").selectAll("t");
      let i = 0;
      if (scope.versionId !== undefined) base = base.where("t.version_id", "=", values[i++]);
      if (scope.modelId !== undefined) base = base.where("t.model_id", "=", values[i++]);
      if (unlinked) base = base.where("t.version_id", "is", null);
      return base;
    },
  };
}

/** The artifacts of these ids, in the order of the ids (missing ones left out). */
export async function getArtifacts(db: Kysely<ArtifactsDb>, ids: number[]): Promise<ModelArtifact[]> {
  if (ids.length === 0) return [];
  const rows = await ARTIFACTS_BY_IDS(db, ids);
  const byId = new Map((await hydrateArtifacts(db, rows)).map((a) => [a.id, a]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function listArtifacts(db: Kysely<ArtifactsDb>, scope: ArtifactScope, query: ListQuery): Promise<ListResult<ModelArtifact>> {
  const page = await readPage(db, artifactsIn(scope), query, ARTIFACT_COLUMNS, ARTIFACT_RUN_RELATED);
  return { ...page, items: await hydrateArtifacts(db, page.items) };
}

export async function insertArtifact(db: Kysely<ArtifactsDb>, artifact: ModelArtifact): Promise<void> {
  await INSERT_ARTIFACT(db, [artifactToRow(artifact)]);
  await writeProperties(db, artifact.id, artifact.customProperties, false);
}

/** Writes the artifact's fields and its version (which changes once, when a standalone artifact is linked). */
export async function updateArtifact(db: Kysely<ArtifactsDb>, artifact: ModelArtifact): Promise<void> {
  const { id, create_time: _c, ...row } = artifactToRow(artifact);
  await db.updateTable("model_artifacts").set(row).where("id", "=", id).execute();
  await writeProperties(db, artifact.id, artifact.customProperties, true);
}

async function hydrateArtifacts(db: Kysely<ArtifactsDb>, rows: Selectable<ModelArtifactsTable>[]): Promise<ModelArtifact[]> {
  const ids = rows.map((r) => toNumber(r.id));
  const props = await loadProperties(db, ids);
  return rows.map((r, i) => rowToArtifact(r, props.get(ids[i]!) ?? {}));
}

function rowToArtifact(row: Selectable<ModelArtifactsTable>, customProperties: Properties): ModelArtifact {
  return {
    id: toNumber(row.id),
    versionId: row.version_id === null ? null : toNumber(row.version_id),
    modelId: row.model_id === null ? null : toNumber(row.model_id),
    displayName: row.display_name,
    description: row.description,
    uri: row.uri,
    modelFormatName: row.model_format_name,
    modelFormatVersion: row.model_format_version,
    storageKey: row.storage_key,
    storagePath: row.storage_path,
    serviceAccountName: row.service_account_name,
    state: row.state as ArtifactState,
    digest: row.digest,
    customProperties,
    createTime: time(row.create_time),
    updateTime: time(row.update_time),
    revision: toNumber(row.revision),
  };
}

export function artifactToRow(a: ModelArtifact) {
  return {
    id: a.id,
    version_id: a.versionId,
    model_id: a.modelId,
    display_name: a.displayName,
    description: a.description,
    uri: a.uri,
    model_format_name: a.modelFormatName,
    model_format_version: a.modelFormatVersion,
    storage_key: a.storageKey,
    storage_path: a.storagePath,
    service_account_name: a.serviceAccountName,
    state: a.state,
    digest: a.digest,
    create_time: a.createTime.getTime(),
    update_time: a.updateTime.getTime(),
    revision: a.revision,
  };
}
