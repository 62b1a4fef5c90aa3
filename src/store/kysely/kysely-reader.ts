import type { Kysely, Selectable } from "kysely";
import type { ModelArtifact, ModelVersion, RegisteredModel, RegistryEvent } from "../../registry/core/types.js";
import type {
  ArtifactScope,
  EventQuery,
  ListQuery,
  ListResult,
  RegisterRequestRecord,
  RetentionBound,
  StoreReader,
  VersionScope,
} from "../../registry/ports/store.js";
import { LifecycleQueries } from "./alias-queries.js";
import { DeploymentQueries } from "./deployment-queries.js";
import { toNumber } from "./dialect.js";
import { LineageQueries } from "./lineage-queries.js";
import { loadLabels, loadProperties } from "./lifecycle-support.js";
import { ARTIFACT_RUN_RELATED, RestQueries } from "./rest-queries.js";
import { compactionCutoff, readCompactedRevision, readEvents } from "./event-queries.js";
import type { ListSelect } from "./dynamic-query.js";
import type { FilterTarget } from "./filter-compiler.js";
import { type PageBase, readPage } from "./page-query.js";
import { preparedIdsQuery, preparedQuery } from "./prepared-query.js";
import { rowToArtifact, rowToModel, rowToVersion, type VersionRow } from "./rows.js";
import type { Database, ModelArtifactsTable, RegisteredModelsTable } from "./schema.js";

/** Sortable and filterable columns of each listed table, by canonical attribute name. */
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

/** A version row with its model's display name. */
/** Versions with their model's display name; versionsOf adds the version's own columns (lists add them themselves). */
const versionsJoined = (db: Kysely<Database>) =>
  db.selectFrom("model_versions as t").innerJoin("registered_models as m", "m.id", "t.model_id").select("m.display_name as model_display_name");
const versionsOf = (db: Kysely<Database>) => versionsJoined(db).selectAll("t");

// The point reads every Get runs, compiled once (see prepared-query.ts).
const REVISION = preparedQuery((db: Kysely<Database>, id: number) => db.selectFrom("meta").select("revision").where("id", "=", id));
const MODEL_BY_ID = preparedQuery((db: Kysely<Database>, id: number) => db.selectFrom("registered_models").selectAll().where("id", "=", id));
const MODEL_BY_DISPLAY_NAME = preparedQuery((db: Kysely<Database>, name: string) =>
  db.selectFrom("registered_models").selectAll().where("display_name", "=", name),
);
const VERSION_BY_ID = preparedQuery((db: Kysely<Database>, id: number) => versionsOf(db).where("t.id", "=", id));
const ARTIFACTS_BY_IDS = preparedIdsQuery((db: Kysely<Database>, ids: readonly number[]) =>
  db.selectFrom("model_artifacts").selectAll().where("id", "in", ids),
);
const VERSION_BY_STRING = preparedQuery((db: Kysely<Database>, modelId: number, version: string) =>
  versionsOf(db).where("t.model_id", "=", modelId).where("t.version", "=", version),
);

// The bases of the hot lists, whose page queries are compiled once per shape (page-query.ts).
const MODELS: PageBase<Selectable<RegisteredModelsTable>> = {
  key: "models",
  args: [],
  build: (db) => db.selectFrom("registered_models as t").selectAll("t"),
};
const versionsBase = (db: Kysely<Database>): ListSelect<VersionRow> => versionsOf(db);
const ALL_VERSIONS: PageBase<VersionRow> = { key: "versions", args: [], build: versionsBase };
const versionsOfModel = (modelId: number): PageBase<VersionRow> => ({
  key: "versions-of-model",
  args: [modelId],
  build: (db, [id]) => versionsBase(db).where("t.model_id", "=", id),
});
function artifactsIn(scope: ArtifactScope): PageBase<Selectable<ModelArtifactsTable>> {
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

/** StoreReader over a Kysely connection or transaction. */
export class KyselyReader implements StoreReader {
  constructor(protected readonly db: Kysely<Database>) {}

  private lifecycleQueries?: LifecycleQueries;
  private lineageQueries?: LineageQueries;
  private deploymentQueries?: DeploymentQueries;
  private restQueries?: RestQueries;

  /** Aliases and deletes, lineage, deployments: their SQL lives in alias-, lineage- and deployment-queries.ts. Made when first used. */
  get lifecycle(): LifecycleQueries {
    this.lifecycleQueries ??= new LifecycleQueries(this.db, this.paginate, this);
    return this.lifecycleQueries;
  }

  get lineage(): LineageQueries {
    this.lineageQueries ??= new LineageQueries(this.db, this.paginate);
    return this.lineageQueries;
  }

  get deployments(): DeploymentQueries {
    this.deploymentQueries ??= new DeploymentQueries(this.db, this.paginate);
    return this.deploymentQueries;
  }

  /** The Kubeflow REST gateway's own tables: rest-queries.ts. */
  get rest(): RestQueries {
    this.restQueries ??= new RestQueries(this.db, this.paginate);
    return this.restQueries;
  }

  /** The keyset paginator every area shares. */
  private readonly paginate = <Row>(
    base: ListSelect<Row> | PageBase<Row>,
    query: ListQuery,
    columns: Record<string, string>,
    related?: FilterTarget["related"],
  ) => this.list(base, query, columns, related);

  async revision(): Promise<number> {
    const [row] = await REVISION(this.db, 1);
    if (!row) throw new Error("the meta row is missing");
    return toNumber(row.revision);
  }

  async getModel(id: number): Promise<RegisteredModel | undefined> {
    const [row] = await MODEL_BY_ID(this.db, id);
    return row ? (await this.hydrateModels([row]))[0] : undefined;
  }

  async getModelByDisplayName(displayName: string): Promise<RegisteredModel | undefined> {
    const [row] = await MODEL_BY_DISPLAY_NAME(this.db, displayName);
    return row ? (await this.hydrateModels([row]))[0] : undefined;
  }

  async getVersion(id: number): Promise<ModelVersion | undefined> {
    const [row] = await VERSION_BY_ID(this.db, id);
    return row ? (await this.hydrateVersions([row]))[0] : undefined;
  }

  async getVersionByString(modelId: number, version: string): Promise<ModelVersion | undefined> {
    const [row] = await VERSION_BY_STRING(this.db, modelId, version);
    return row ? (await this.hydrateVersions([row]))[0] : undefined;
  }

  async getLatestVersion(modelId: number): Promise<ModelVersion | undefined> {
    const row = await this.versions()
      .where("t.model_id", "=", modelId)
      .where("t.state", "=", "LIVE")
      .orderBy("t.create_time", "desc")
      .orderBy("t.id", "desc")
      .limit(1)
      .executeTakeFirst();
    return row ? (await this.hydrateVersions([row]))[0] : undefined;
  }

  async getArtifact(id: number): Promise<ModelArtifact | undefined> {
    return (await this.getArtifacts([id]))[0];
  }

  async getArtifacts(ids: number[]): Promise<ModelArtifact[]> {
    if (ids.length === 0) return [];
    const rows = await ARTIFACTS_BY_IDS(this.db, ids);
    const byId = new Map((await this.hydrateArtifacts(rows)).map((a) => [a.id, a]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async getRegisterRequest(requestId: string): Promise<RegisterRequestRecord | undefined> {
    const row = await this.db.selectFrom("register_requests").selectAll().where("request_id", "=", requestId).executeTakeFirst();
    if (!row) return undefined;
    return {
      requestId: row.request_id,
      requestHash: row.request_hash,
      modelId: toNumber(row.model_id),
      versionId: toNumber(row.version_id),
      artifactIds: (JSON.parse(row.artifact_ids) as number[]).map(Number),
    };
  }

  async listModels(query: ListQuery): Promise<ListResult<RegisteredModel>> {
    const page = await this.list(MODELS, query, MODEL_COLUMNS);
    return { ...page, items: await this.hydrateModels(page.items) };
  }

  async listVersions(scope: VersionScope, query: ListQuery): Promise<ListResult<ModelVersion>> {
    const page = await this.list(
      scope.modelId === undefined ? ALL_VERSIONS : versionsOfModel(scope.modelId),
      query,
      VERSION_COLUMNS,
      VERSION_RELATED,
    );
    return { ...page, items: await this.hydrateVersions(page.items) };
  }

  async listArtifacts(scope: ArtifactScope, query: ListQuery): Promise<ListResult<ModelArtifact>> {
    const page = await this.list(artifactsIn(scope), query, ARTIFACT_COLUMNS, ARTIFACT_RUN_RELATED);
    return { ...page, items: await this.hydrateArtifacts(page.items) };
  }

  compactedRevision(): Promise<number> {
    return readCompactedRevision(this.db);
  }

  readEvents(query: EventQuery): Promise<RegistryEvent[]> {
    return readEvents(this.db, query);
  }

  compactionCutoff(bound: RetentionBound): Promise<number> {
    return compactionCutoff(this.db, bound);
  }

  /** One keyset page (page-query.ts). */
  private list<Row>(base: ListSelect<Row> | PageBase<Row>, query: ListQuery, columns: Record<string, string>, related?: FilterTarget["related"]) {
    return readPage(this.db, base, query, columns, related);
  }

  private versions() {
    return versionsOf(this.db);
  }

  private async hydrateModels(rows: Selectable<RegisteredModelsTable>[]): Promise<RegisteredModel[]> {
    const ids = rows.map((r) => toNumber(r.id));
    const [props, labels] = await Promise.all([loadProperties(this.db, ids), loadLabels(this.db, ids)]);
    return rows.map((r, i) => rowToModel(r, labels.get(ids[i]!) ?? {}, props.get(ids[i]!) ?? {}));
  }

  private async hydrateVersions(rows: VersionRow[]): Promise<ModelVersion[]> {
    const ids = rows.map((r) => toNumber(r.id));
    const [props, aliases, sources] = await Promise.all([
      loadProperties(this.db, ids),
      this.lifecycle.aliasNamesByVersion(ids),
      this.lineage.sourcesOf(ids),
    ]);
    return rows.map((r, i) => ({
      ...rowToVersion(r, props.get(ids[i]!) ?? {}),
      aliases: aliases.get(ids[i]!) ?? [],
      source: sources.get(ids[i]!) ?? null,
    }));
  }

  private async hydrateArtifacts(rows: Selectable<ModelArtifactsTable>[]): Promise<ModelArtifact[]> {
    const ids = rows.map((r) => toNumber(r.id));
    const props = await loadProperties(this.db, ids);
    return rows.map((r, i) => rowToArtifact(r, props.get(ids[i]!) ?? {}));
  }
}
