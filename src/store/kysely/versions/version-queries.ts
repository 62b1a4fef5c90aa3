import type { Kysely, Selectable } from "kysely";
import type { ModelVersion, Properties, State, VersionSource } from "../../../registry/core/types.js";
import type { ListQuery, VersionScope } from "../../../registry/ports/store.js";
import type { BaseTables } from "../sql/base-tables.js";
import type { FilterTarget } from "../sql/filter-compiler.js";
import type { ListSelect } from "../sql/dynamic-query.js";
import { time, toNumber } from "../sql/integers.js";
import { writeProperties } from "../sql/metadata.js";
import type { ModelTables } from "../models/model-tables.js";
import { type PageBase, type PageResult, readPage } from "../sql/page-query.js";
import { preparedInsert, preparedQuery } from "../sql/prepared-query.js";
import type { ModelVersionsTable, VersionTables } from "./version-tables.js";

/**
 * SQL of model versions: their rows, with their model's display name. A version's aliases and
 * source live in other tables; the reader adds them (kysely-reader.ts).
 */

/** The tables the version queries use. */
export type VersionsDb = BaseTables & VersionTables & ModelTables;

/** A version row with its model's display name. */
export type VersionRow = Selectable<ModelVersionsTable> & { model_display_name: string };

/** Sortable and filterable columns of versions, by canonical attribute name. */
const VERSION_COLUMNS: Record<string, string> = {
  id: "t.id",
  version: "t.version",
  description: "t.description",
  author: "t.author",
  state: "t.state",
  create_time: "t.create_time",
  update_time: "t.update_time",
  registered_model_id: "t.model_id",
  registered_model_display_name: "m.display_name",
};
/** A version's aliases and the run that produced it, held in other tables (filter `alias = "production"`). */
const VERSION_RELATED: FilterTarget["related"] = {
  alias: { table: "model_aliases", key: "version_id", value: "alias" },
  experiment_run_id: { table: "model_version_sources", key: "version_id", value: "run_id" },
};

/** Versions with their model's display name; versionsOf adds the version's own columns (lists add them themselves). */
const versionsJoined = (db: Kysely<VersionsDb>) =>
  db.selectFrom("model_versions as t").innerJoin("registered_models as m", "m.id", "t.model_id").select("m.display_name as model_display_name");
const versionsOf = (db: Kysely<VersionsDb>) => versionsJoined(db).selectAll("t");

// The point reads every Get runs, compiled once (see prepared-query.ts).
const VERSION_BY_ID = preparedQuery((db: Kysely<VersionsDb>, id: number) => versionsOf(db).where("t.id", "=", id));
const VERSION_BY_STRING = preparedQuery((db: Kysely<VersionsDb>, modelId: number, version: string) =>
  versionsOf(db).where("t.model_id", "=", modelId).where("t.version", "=", version),
);
// The insert every registration runs, compiled once.
const INSERT_VERSION = preparedInsert<VersionsDb, "model_versions">("model_versions");

// The bases of the lists of versions, whose page queries are compiled once per shape (page-query.ts).
const versionsBase = (db: Kysely<VersionsDb>): ListSelect<VersionRow> => versionsOf(db);
const ALL_VERSIONS: PageBase<VersionRow, VersionsDb> = { key: "versions", args: [], build: versionsBase };
const versionsOfModel = (modelId: number): PageBase<VersionRow, VersionsDb> => ({
  key: "versions-of-model",
  args: [modelId],
  build: (db, [id]) => versionsBase(db).where("t.model_id", "=", id),
});

export async function versionRow(db: Kysely<VersionsDb>, id: number): Promise<VersionRow | undefined> {
  const [row] = await VERSION_BY_ID(db, id);
  return row;
}

export async function versionRowByString(db: Kysely<VersionsDb>, modelId: number, version: string): Promise<VersionRow | undefined> {
  const [row] = await VERSION_BY_STRING(db, modelId, version);
  return row;
}

/** The newest LIVE version of a model. */
export function latestVersionRow(db: Kysely<VersionsDb>, modelId: number): Promise<VersionRow | undefined> {
  return versionsOf(db)
    .where("t.model_id", "=", modelId)
    .where("t.state", "=", "LIVE")
    .orderBy("t.create_time", "desc")
    .orderBy("t.id", "desc")
    .limit(1)
    .executeTakeFirst();
}

/**
 * The newest LIVE version of each of the models, in two queries whatever their number: one
 * indexed lookup per model (model_id, create_time, id), then the rows.
 */
export async function latestVersionRows(db: Kysely<VersionsDb>, modelIds: readonly number[]): Promise<VersionRow[]> {
  if (modelIds.length === 0) return [];
  const latest = await db
    .selectFrom("registered_models as m")
    .where("m.id", "in", modelIds)
    .select((eb) =>
      eb
        .selectFrom("model_versions as w")
        .select("w.id")
        .whereRef("w.model_id", "=", "m.id")
        .where("w.state", "=", "LIVE")
        .orderBy("w.create_time", "desc")
        .orderBy("w.id", "desc")
        .limit(1)
        .as("version_id"),
    )
    .execute();
  const ids = latest.flatMap((r) => (r.version_id === null ? [] : [toNumber(r.version_id)]));
  return ids.length === 0 ? [] : versionsOf(db).where("t.id", "in", ids).execute();
}

export function listVersionRows(db: Kysely<VersionsDb>, scope: VersionScope, query: ListQuery): Promise<PageResult<VersionRow>> {
  return readPage(db, scope.modelId === undefined ? ALL_VERSIONS : versionsOfModel(scope.modelId), query, VERSION_COLUMNS, VERSION_RELATED);
}

/** Inserts the version's row and custom properties (its source is lineage's). */
export async function insertVersion(db: Kysely<VersionsDb>, version: ModelVersion): Promise<void> {
  await INSERT_VERSION(db, [versionToRow(version)]);
  await writeProperties(db, version.id, version.customProperties, false);
}

/** Writes the version's fields and custom properties (its source is lineage's). */
export async function updateVersion(db: Kysely<VersionsDb>, version: ModelVersion): Promise<void> {
  const { id, model_id: _model, create_time: _created, ...row } = versionToRow(version);
  await db.updateTable("model_versions").set(row).where("id", "=", id).execute();
  await writeProperties(db, version.id, version.customProperties, true);
}

/** A version row with what hydrating it reads beside it, as one object literal (no spread: a page maps a hundred). */
export function rowToVersion(row: VersionRow, customProperties: Properties, aliases: string[], source: VersionSource | null): ModelVersion {
  return {
    id: toNumber(row.id),
    modelId: toNumber(row.model_id),
    modelDisplayName: row.model_display_name,
    version: row.version,
    description: row.description,
    author: row.author,
    state: row.state as State,
    customProperties,
    createTime: time(row.create_time),
    updateTime: time(row.update_time),
    revision: toNumber(row.revision),
    aliases,
    source,
  };
}

export function versionToRow(v: ModelVersion) {
  return {
    id: v.id,
    model_id: v.modelId,
    version: v.version,
    description: v.description,
    author: v.author,
    state: v.state,
    create_time: v.createTime.getTime(),
    update_time: v.updateTime.getTime(),
    revision: v.revision,
  };
}
