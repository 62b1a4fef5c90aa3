import type { Kysely, Selectable } from "kysely";
import type { Alias, AliasHistoryEntry } from "../../registry/core/types.js";
import type { ModelArtifact, ModelVersion } from "../../registry/core/types.js";
import type { AliasWriter, ModelScope } from "../../registry/ports/store.js";
import type { ListQuery, ListResult, StoreReader } from "../../registry/ports/store.js";
import { toNumber } from "./dialect.js";
import type { AliasHistoryTable, ModelAliasesTable } from "./lifecycle-schema.js";
import { deleteMetadata, EVERYTHING, optionalId, type Paginate, time } from "./lifecycle-support.js";
import { preparedIdsQuery, preparedQuery } from "./prepared-query.js";
import type { Database } from "./schema.js";

/** The aliases of one version (GetModelVersion), compiled once. */
const ALIAS_NAMES_OF_ONE = preparedQuery((db: Kysely<Database>, versionId: number) =>
  db.selectFrom("model_aliases").select(["version_id", "alias"]).where("version_id", "=", versionId).orderBy("alias"),
);
const ALIAS_NAMES_OF_MANY = preparedIdsQuery((db: Kysely<Database>, versionIds: readonly number[]) =>
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

/** Artifact states a server can download from. */
const SERVABLE = ["LIVE", "REFERENCE", "UNKNOWN"];

/** Aliases, their history, and the row deletes of models, versions and artifacts. */
export class LifecycleQueries implements AliasWriter {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly paginate: Paginate,
    private readonly reader: StoreReader,
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

  async aliasesOfModel(modelId: number): Promise<Alias[]> {
    const rows = await this.aliases().where("t.model_id", "=", modelId).orderBy("t.alias").execute();
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

  async versionsOfModel(modelId: number): Promise<ModelVersion[]> {
    return (await this.reader.listVersions({ modelId }, EVERYTHING)).items;
  }

  async artifactsOfVersions(versionIds: number[]): Promise<ModelArtifact[]> {
    if (versionIds.length === 0) return [];
    const rows = await this.db
      .selectFrom("model_artifacts")
      .select("id")
      .where("version_id", "in", versionIds)
      .orderBy("create_time")
      .orderBy("id")
      .execute();
    return this.reader.getArtifacts(rows.map((r) => toNumber(r.id)));
  }

  async servableArtifact(versionId: number): Promise<ModelArtifact | undefined> {
    const row = await this.db
      .selectFrom("model_artifacts")
      .select("id")
      .where("version_id", "=", versionId)
      .where("state", "in", SERVABLE)
      .orderBy("create_time")
      .orderBy("id")
      .limit(1)
      .executeTakeFirst();
    return row ? this.reader.getArtifact(toNumber(row.id)) : undefined;
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

  async deleteModelRows(modelId: number): Promise<void> {
    const versionIds = (await this.db.selectFrom("model_versions").select("id").where("model_id", "=", modelId).execute()).map((r) => toNumber(r.id));
    await this.db.deleteFrom("model_aliases").where("model_id", "=", modelId).execute();
    await this.db.deleteFrom("alias_history").where("model_id", "=", modelId).execute();
    for (let i = 0; i < versionIds.length; i += 500) {
      await this.deleteVersionsRows(versionIds.slice(i, i + 500));
    }
    await this.db.deleteFrom("register_requests").where("model_id", "=", modelId).execute();
    await deleteMetadata(this.db, [modelId]);
    await this.db.deleteFrom("registered_models").where("id", "=", modelId).execute();
  }

  async deleteVersionRows(versionId: number): Promise<void> {
    await this.db.deleteFrom("model_aliases").where("version_id", "=", versionId).execute();
    await this.deleteVersionsRows([versionId]);
  }

  async deleteArtifactRows(artifactId: number): Promise<void> {
    await deleteMetadata(this.db, [artifactId]);
    await this.db.deleteFrom("model_artifacts").where("id", "=", artifactId).execute();
  }

  /** Versions (whose aliases are gone) with their artifacts, sources, metadata and idempotency records. */
  private async deleteVersionsRows(versionIds: number[]): Promise<void> {
    const artifactIds = (await this.db.selectFrom("model_artifacts").select("id").where("version_id", "in", versionIds).execute()).map((r) =>
      toNumber(r.id),
    );
    await deleteMetadata(this.db, [...artifactIds, ...versionIds]);
    await this.db.deleteFrom("model_artifacts").where("version_id", "in", versionIds).execute();
    await this.db.deleteFrom("model_version_sources").where("version_id", "in", versionIds).execute();
    await this.db.deleteFrom("register_requests").where("version_id", "in", versionIds).execute();
    await this.db.deleteFrom("model_versions").where("id", "in", versionIds).execute();
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
