import type { Kysely, Selectable } from "kysely";
import type { Properties, RegisteredModel, State } from "../../../registry/core/types.js";
import type { ListQuery, ListResult, RegisterRequestRecord } from "../../../registry/ports/store.js";
import type { BaseTables } from "../sql/base-tables.js";
import { time, toNumber } from "../sql/integers.js";
import { loadLabels, loadProperties, writeLabels, writeProperties } from "../sql/metadata.js";
import type { ModelTables, RegisteredModelsTable } from "./model-tables.js";
import { type PageBase, readPage } from "../sql/page-query.js";
import { preparedQuery } from "../sql/prepared-query.js";

/** SQL of registered models and of RegisterModel's idempotency records. */

/** The tables the model queries use. */
export type ModelsDb = BaseTables & ModelTables;

/** Sortable and filterable columns of models, by canonical attribute name. */
const MODEL_COLUMNS: Record<string, string> = {
  id: "t.id",
  display_name: "t.display_name",
  description: "t.description",
  owner: "t.owner",
  state: "t.state",
  readme: "t.readme",
  create_time: "t.create_time",
  update_time: "t.update_time",
};

// The point reads every Get runs, compiled once (see prepared-query.ts).
const MODEL_BY_ID = preparedQuery((db: Kysely<ModelsDb>, id: number) => db.selectFrom("registered_models").selectAll().where("id", "=", id));
const MODEL_BY_DISPLAY_NAME = preparedQuery((db: Kysely<ModelsDb>, name: string) =>
  db.selectFrom("registered_models").selectAll().where("display_name", "=", name),
);

// The base of the list of models, whose page queries are compiled once per shape (page-query.ts).
const MODELS: PageBase<Selectable<RegisteredModelsTable>, ModelsDb> = {
  key: "models",
  args: [],
  build: (db) => db.selectFrom("registered_models as t").selectAll("t"),
};

export async function getModel(db: Kysely<ModelsDb>, id: number): Promise<RegisteredModel | undefined> {
  const [row] = await MODEL_BY_ID(db, id);
  return row ? (await hydrateModels(db, [row]))[0] : undefined;
}

export async function getModelByDisplayName(db: Kysely<ModelsDb>, displayName: string): Promise<RegisteredModel | undefined> {
  const [row] = await MODEL_BY_DISPLAY_NAME(db, displayName);
  return row ? (await hydrateModels(db, [row]))[0] : undefined;
}

export async function listModels(db: Kysely<ModelsDb>, query: ListQuery): Promise<ListResult<RegisteredModel>> {
  const page = await readPage(db, MODELS, query, MODEL_COLUMNS);
  return { ...page, items: await hydrateModels(db, page.items) };
}

export async function insertModel(db: Kysely<ModelsDb>, model: RegisteredModel): Promise<void> {
  await db.insertInto("registered_models").values(modelToRow(model)).execute();
  await writeLabels(db, model.id, model.labels, false);
  await writeProperties(db, model.id, model.customProperties, false);
}

export async function updateModel(db: Kysely<ModelsDb>, model: RegisteredModel): Promise<void> {
  const { id, create_time: _created, ...row } = modelToRow(model);
  await db.updateTable("registered_models").set(row).where("id", "=", id).execute();
  await writeLabels(db, model.id, model.labels, true);
  await writeProperties(db, model.id, model.customProperties, true);
}

export async function getRegisterRequest(db: Kysely<ModelsDb>, requestId: string): Promise<RegisterRequestRecord | undefined> {
  const row = await db.selectFrom("register_requests").selectAll().where("request_id", "=", requestId).executeTakeFirst();
  if (!row) return undefined;
  return {
    requestId: row.request_id,
    requestHash: row.request_hash,
    modelId: toNumber(row.model_id),
    versionId: toNumber(row.version_id),
    artifactIds: (JSON.parse(row.artifact_ids) as number[]).map(Number),
  };
}

export async function insertRegisterRequest(db: Kysely<ModelsDb>, record: RegisterRequestRecord, time: Date): Promise<void> {
  await db
    .insertInto("register_requests")
    .values({
      request_id: record.requestId,
      request_hash: record.requestHash,
      model_id: record.modelId,
      version_id: record.versionId,
      artifact_ids: JSON.stringify(record.artifactIds),
      create_time: time.getTime(),
    })
    .execute();
}

async function hydrateModels(db: Kysely<ModelsDb>, rows: Selectable<RegisteredModelsTable>[]): Promise<RegisteredModel[]> {
  const ids = rows.map((r) => toNumber(r.id));
  const [props, labels] = await Promise.all([loadProperties(db, ids), loadLabels(db, ids)]);
  return rows.map((r, i) => rowToModel(r, labels.get(ids[i]!) ?? {}, props.get(ids[i]!) ?? {}));
}

function rowToModel(row: Selectable<RegisteredModelsTable>, labels: Record<string, string>, customProperties: Properties): RegisteredModel {
  return {
    id: toNumber(row.id),
    displayName: row.display_name,
    description: row.description,
    owner: row.owner,
    state: row.state as State,
    labels,
    customProperties,
    readme: row.readme,
    createTime: time(row.create_time),
    updateTime: time(row.update_time),
    revision: toNumber(row.revision),
  };
}

function modelToRow(m: RegisteredModel) {
  return {
    id: m.id,
    display_name: m.displayName,
    description: m.description,
    owner: m.owner,
    state: m.state,
    readme: m.readme,
    create_time: m.createTime.getTime(),
    update_time: m.updateTime.getTime(),
    revision: m.revision,
  };
}
