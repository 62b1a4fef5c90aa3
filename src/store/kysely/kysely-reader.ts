import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import type {
  ModelArtifact,
  ModelVersion,
  Properties,
  RegisteredModel,
  RegistryEvent,
} from "../../registry/types.js";
import type {
  ArtifactScope,
  Cursor,
  EventQuery,
  ListQuery,
  ListResult,
  RegisterRequestRecord,
  RetentionBound,
  StoreReader,
  VersionScope,
} from "../store.js";
import { LifecycleQueries } from "./alias-queries.js";
import { DeploymentQueries } from "./deployment-queries.js";
import { toNumber } from "./dialect.js";
import { LineageQueries } from "./lineage-queries.js";
import { loadLabels, loadProperties } from "./lifecycle-support.js";
import { RestQueries } from "./rest-queries.js";
import { compactionCutoff, readCompactedRevision, readEvents } from "./event-queries.js";
import { compileFilter, type FilterTarget } from "./filter-compiler.js";
import { afterCursor, type KeysetTerm, orderByItems } from "./keyset.js";
import { preparedIdsQuery, preparedQuery } from "./prepared-query.js";
import { rowToArtifact, rowToModel, rowToProperty, rowToVersion, type VersionRow } from "./rows.js";
import type { Database } from "./schema.js";

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

type AnySelect = SelectQueryBuilder<any, any, any>;

/** A version row with its model's display name. */
const versionsOf = (db: Kysely<Database>) =>
  db
    .selectFrom("model_versions as t")
    .innerJoin("registered_models as m", "m.id", "t.model_id")
    .selectAll("t")
    .select("m.display_name as model_display_name");

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

/** StoreReader over a Kysely connection or transaction. */
export class KyselyReader implements StoreReader {
  constructor(protected readonly db: Kysely<Database>) {}

  private areas?: { lifecycle: LifecycleQueries; lineage: LineageQueries; deployments: DeploymentQueries; rest: RestQueries };

  /** Aliases and deletes, lineage, deployments: their SQL lives in alias-, lineage- and deployment-queries.ts. */
  get lifecycle(): LifecycleQueries {
    return this.area().lifecycle;
  }

  get lineage(): LineageQueries {
    return this.area().lineage;
  }

  get deployments(): DeploymentQueries {
    return this.area().deployments;
  }

  /** The Kubeflow REST gateway's own tables: rest-queries.ts. */
  get rest(): RestQueries {
    return this.area().rest;
  }

  private area() {
    const paginate = (base: AnySelect, query: ListQuery, columns: Record<string, string>, related?: FilterTarget["related"]) =>
      this.list(base, query, columns, related);
    return (this.areas ??= {
      lifecycle: new LifecycleQueries(this.db, paginate, this),
      lineage: new LineageQueries(this.db, paginate),
      deployments: new DeploymentQueries(this.db, paginate),
      rest: new RestQueries(this.db, paginate),
    });
  }

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
    return row ? (await this.hydrateVersions([row as VersionRow]))[0] : undefined;
  }

  async getVersionByString(modelId: number, version: string): Promise<ModelVersion | undefined> {
    const [row] = await VERSION_BY_STRING(this.db, modelId, version);
    return row ? (await this.hydrateVersions([row as VersionRow]))[0] : undefined;
  }

  async getLatestVersion(modelId: number): Promise<ModelVersion | undefined> {
    const row = await this.versions()
      .where("t.model_id", "=", modelId)
      .where("t.state", "=", "LIVE")
      .orderBy("t.create_time", "desc")
      .orderBy("t.id", "desc")
      .limit(1)
      .executeTakeFirst();
    return row ? (await this.hydrateVersions([row as VersionRow]))[0] : undefined;
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
    const row = await this.db
      .selectFrom("register_requests")
      .selectAll()
      .where("request_id", "=", requestId)
      .executeTakeFirst();
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
    const base = this.db.selectFrom("registered_models as t") as unknown as AnySelect;
    const page = await this.list(base, query, MODEL_COLUMNS);
    return { ...page, items: await this.hydrateModels(page.items) };
  }

  async listVersions(scope: VersionScope, query: ListQuery): Promise<ListResult<ModelVersion>> {
    let base = this.db
      .selectFrom("model_versions as t")
      .innerJoin("registered_models as m", "m.id", "t.model_id") as unknown as AnySelect;
    if (scope.modelId !== undefined) base = base.where("t.model_id", "=", scope.modelId);
    const page = await this.list(base.select("m.display_name as model_display_name"), query, VERSION_COLUMNS, VERSION_RELATED);
    return { ...page, items: await this.hydrateVersions(page.items) };
  }

  async listArtifacts(scope: ArtifactScope, query: ListQuery): Promise<ListResult<ModelArtifact>> {
    let base = this.db.selectFrom("model_artifacts as t") as unknown as AnySelect;
    if (scope.versionId !== undefined) base = base.where("t.version_id", "=", scope.versionId);
    if (scope.modelId !== undefined) base = base.where("t.model_id", "=", scope.modelId);
    const page = await this.list(base, query, ARTIFACT_COLUMNS);
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

  /**
   * One keyset page: filter, cursor condition, ORDER BY the sort keys plus the id, LIMIT n+1.
   * Each sort key is also selected (as __k<i>) so the page's last row yields the next cursor.
   */
  private async list(base: AnySelect, query: ListQuery, columns: Record<string, string>, related?: FilterTarget["related"]) {
    const target: FilterTarget = { columns, idColumn: "t.id", ...(related ? { related } : {}) };
    let q = base;
    const terms: KeysetTerm[] = [];
    query.sort.forEach((key, i) => {
      if (key.kind === "column") {
        const column = columns[key.column];
        if (!column) throw new RangeError(`unsortable column ${key.column}`);
        terms.push({ expr: sql.ref(column), desc: key.desc, nullable: false });
        return;
      }
      const alias = `s${i}`;
      q = q.leftJoin(`properties as ${alias}`, (join: any) =>
        join.onRef(`${alias}.resource_id`, "=", "t.id").on(`${alias}.key`, "=", key.key),
      );
      // Numbers first (by value), then strings; rows without the key last.
      terms.push({ expr: sql.ref(`${alias}.number_value`), desc: key.desc, nullable: true });
      terms.push({ expr: sql.ref(`${alias}.string_value`), desc: key.desc, nullable: true });
    });
    terms.push({ expr: sql.ref("t.id"), desc: query.sort.at(-1)?.desc ?? false, nullable: false });

    if (query.filter) {
      const filter = query.filter;
      q = q.where((eb) => compileFilter(eb, filter, target));
    }
    let total: number | undefined;
    if (query.withTotal) {
      const row = await q.clearSelect().select((eb) => eb.fn.countAll().as("n")).executeTakeFirst();
      total = toNumber((row as { n: bigint | number | string }).n);
    }
    if (query.after) {
      const after = query.after;
      q = q.where((eb) => afterCursor(eb, terms, after));
    }
    q = q.selectAll("t").select(terms.map((t, i) => sql`${t.expr}`.as(`__k${i}`)));
    for (const item of orderByItems(terms)) q = q.orderBy(item);
    const rows = (await q.limit(query.limit + 1).execute()) as Array<Record<string, unknown>>;

    const more = rows.length > query.limit;
    const items = more ? rows.slice(0, query.limit) : rows;
    const last = items.at(-1);
    const next: Cursor | null = more && last ? terms.map((_, i) => cursorValue(last[`__k${i}`])) : null;
    return { items: items as any[], next, total };
  }

  private versions() {
    return versionsOf(this.db);
  }

  private async hydrateModels(rows: any[]): Promise<RegisteredModel[]> {
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

  private async hydrateArtifacts(rows: any[]): Promise<ModelArtifact[]> {
    const ids = rows.map((r) => toNumber(r.id));
    const props = await loadProperties(this.db, ids);
    return rows.map((r, i) => rowToArtifact(r, props.get(ids[i]!) ?? {}));
  }
}

/** Cursor values are JSON-safe: integers become numbers, text stays text. */
function cursorValue(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return toNumber(value);
  if (typeof value === "number" || typeof value === "string") {
    // pg returns int8 sort keys as strings; times and ids are integers.
    return value;
  }
  return String(value);
}
