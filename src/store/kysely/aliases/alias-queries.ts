import type { Kysely, Selectable } from "kysely";
import type { Alias, AliasHistoryEntry } from "../../../registry/core/types.js";
import type { ModelScope, ListQuery, ListResult } from "../../../registry/ports/store.js";
import type { AliasHistoryTable, AliasTables, ModelAliasesTable } from "./alias-tables.js";
import type { BaseTables } from "../sql/base-tables.js";
import { optionalId, time, toNumber } from "../sql/integers.js";
import type { ModelTables } from "../models/model-tables.js";
import type { Paginate } from "../sql/page-query.js";
import { preparedIdsQuery, preparedQuery } from "../sql/prepared-query.js";
import type { VersionTables } from "../versions/version-tables.js";

/** The tables the alias queries use (an alias is listed with its version string and its model's name). */
export type AliasesDb = BaseTables & AliasTables & VersionTables & ModelTables;

/** The aliases of one version (GetModelVersion), compiled once. */
const ALIAS_NAMES_OF_ONE = preparedQuery((db: Kysely<AliasesDb>, versionId: number) =>
  db.selectFrom("model_aliases").select(["version_id", "alias"]).where("version_id", "=", versionId).orderBy("alias"),
);
const ALIAS_NAMES_OF_MANY = preparedIdsQuery((db: Kysely<AliasesDb>, versionIds: readonly number[]) =>
  db.selectFrom("model_aliases").select(["version_id", "alias"]).where("version_id", "in", versionIds).orderBy("alias"),
);

const ALIAS_COLUMNS: Record<string, string> = {
  id: "t.id",
  alias: "t.alias",
  registered_model_id: "t.model_id",
  model_version_id: "t.version_id",
  version: "v.version",
  registered_model: "m.display_name",
  create_time: "t.create_time",
  update_time: "t.update_time",
};

const HISTORY_COLUMNS: Record<string, string> = {
  id: "t.id",
  revision: "t.revision",
  alias: "t.alias",
  type: "t.type",
  actor: "t.actor",
  reason: "t.reason",
  version: "t.version",
  model_version_id: "t.version_id",
  registered_model_id: "t.model_id",
  time: "t.time",
  create_time: "t.time",
};

/** Aliases and their history: the reads and writes of AliasWriter that are about aliases. */
export class AliasQueries {
  constructor(
    protected readonly db: Kysely<AliasesDb>,
    private readonly paginate: Paginate,
  ) {}

  private aliases() {
    return this.db
      .selectFrom("model_aliases as t")
      .innerJoin("model_versions as v", "v.id", "t.version_id")
      .innerJoin("registered_models as m", "m.id", "t.model_id")
      .selectAll("t")
      .select(["v.version as version", "m.display_name as model_display_name"]);
  }

  async getAlias(modelId: number, alias: string): Promise<Alias | undefined> {
    const row = await this.aliases().where("t.model_id", "=", modelId).where("t.alias", "=", alias).executeTakeFirst();
    return row ? rowToAlias(row) : undefined;
  }

  async aliasesOfVersions(versionIds: number[]): Promise<Alias[]> {
    if (versionIds.length === 0) return [];
    const rows = await this.aliases().where("t.version_id", "in", versionIds).orderBy("t.alias").execute();
    return rows.map(rowToAlias);
  }

  /** Alias names by version id, sorted, in one query (ModelVersion.aliases). */
  async aliasNamesByVersion(versionIds: number[]): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>();
    if (versionIds.length === 0) return out;
    const rows = versionIds.length === 1 ? await ALIAS_NAMES_OF_ONE(this.db, versionIds[0]!) : await ALIAS_NAMES_OF_MANY(this.db, versionIds);
    for (const row of rows) {
      const id = toNumber(row.version_id);
      out.set(id, [...(out.get(id) ?? []), row.alias]);
    }
    return out;
  }

  aliasesOfModel(modelId: number): Promise<Alias[]> {
    return this.aliasesOfModels([modelId]);
  }

  async aliasesOfModels(modelIds: readonly number[]): Promise<Alias[]> {
    if (modelIds.length === 0) return [];
    const rows = await this.aliases().where("t.model_id", "in", modelIds).orderBy("t.model_id").orderBy("t.alias").execute();
    return rows.map(rowToAlias);
  }

  async listAliases(scope: ModelScope, query: ListQuery): Promise<ListResult<Alias>> {
    let base = this.aliases();
    if (scope.modelId !== undefined) base = base.where("t.model_id", "=", scope.modelId);
    const page = await this.paginate(base, query, ALIAS_COLUMNS);
    return { ...page, items: page.items.map(rowToAlias) };
  }

  async listAliasHistory(scope: ModelScope, query: ListQuery): Promise<ListResult<AliasHistoryEntry>> {
    let base = this.db.selectFrom("alias_history as t").selectAll("t");
    if (scope.modelId !== undefined) base = base.where("t.model_id", "=", scope.modelId);
    const page = await this.paginate(base, query, HISTORY_COLUMNS);
    return { ...page, items: page.items.map(rowToHistory) };
  }

  async insertAlias(alias: Alias): Promise<void> {
    await this.db
      .insertInto("model_aliases")
      .values({
        id: alias.id,
        model_id: alias.modelId,
        alias: alias.alias,
        version_id: alias.versionId,
        create_time: alias.createTime.getTime(),
        update_time: alias.updateTime.getTime(),
        revision: alias.revision,
      })
      .execute();
  }

  async updateAlias(alias: Alias): Promise<void> {
    await this.db
      .updateTable("model_aliases")
      .set({ version_id: alias.versionId, update_time: alias.updateTime.getTime(), revision: alias.revision })
      .where("id", "=", alias.id)
      .execute();
  }

  async deleteAlias(id: number): Promise<void> {
    await this.db.deleteFrom("model_aliases").where("id", "=", id).execute();
  }

  async appendAliasHistory(e: AliasHistoryEntry): Promise<void> {
    await this.db
      .insertInto("alias_history")
      .values({
        id: e.id,
        revision: e.revision,
        model_id: e.modelId,
        alias: e.alias,
        type: e.type,
        version_id: e.versionId,
        version: e.version,
        previous_version_id: e.previousVersionId,
        previous_version: e.previousVersion,
        actor: e.actor,
        reason: e.reason,
        time: e.time.getTime(),
      })
      .execute();
  }
}

/** An alias with its version string and its model's display name. */
type AliasRow = Selectable<ModelAliasesTable> & { version: string; model_display_name: string };

function rowToAlias(row: AliasRow): Alias {
  return {
    id: toNumber(row.id),
    modelId: toNumber(row.model_id),
    alias: row.alias,
    versionId: toNumber(row.version_id),
    version: row.version,
    modelDisplayName: row.model_display_name,
    createTime: time(row.create_time),
    updateTime: time(row.update_time),
    revision: toNumber(row.revision),
  };
}

function rowToHistory(row: Selectable<AliasHistoryTable>): AliasHistoryEntry {
  return {
    id: toNumber(row.id),
    revision: toNumber(row.revision),
    modelId: toNumber(row.model_id),
    alias: row.alias,
    type: row.type as AliasHistoryEntry["type"],
    versionId: optionalId(row.version_id),
    version: row.version,
    previousVersionId: optionalId(row.previous_version_id),
    previousVersion: row.previous_version,
    actor: row.actor,
    reason: row.reason,
    time: time(row.time),
  };
}
