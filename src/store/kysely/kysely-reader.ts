import type { Kysely } from "kysely";
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
import { getArtifacts, listArtifacts } from "./artifacts/artifact-queries.js";
import { DeploymentQueries } from "./serving/deployment-queries.js";
import { compactionCutoff, readCompactedRevision, readEvents } from "./events/event-queries.js";
import { toNumber } from "./sql/integers.js";
import { loadProperties } from "./sql/metadata.js";
import { LineageQueries } from "./lineage/lineage-queries.js";
import { getModel, getModelByDisplayName, getRegisterRequest, listModels } from "./models/model-queries.js";
import { ModelTreeQueries } from "./model-tree-queries.js";
import { type Paginate, readPage } from "./sql/page-query.js";
import { preparedQuery } from "./sql/prepared-query.js";
import { RecordQueries } from "./records/record-queries.js";
import type { Database } from "./schema.js";
import { WebhookDeliveryQueries } from "./webhooks/delivery-queries.js";
import { WebhookQueries } from "./webhooks/webhook-queries.js";
import {
  latestVersionRow,
  latestVersionRows,
  listVersionRows,
  rowToVersion,
  type VersionRow,
  versionRow,
  versionRowByString,
} from "./versions/version-queries.js";

// The read of the revision, compiled once (see prepared-query.ts).
const REVISION = preparedQuery((db: Kysely<Database>, id: number) => db.selectFrom("meta").select("revision").where("id", "=", id));

/**
 * StoreReader over a Kysely connection or transaction: each resource's SQL is in its own file
 * (model-, version-, artifact-, alias-, lineage-, deployment-, record- and event-queries.ts);
 * this composes them (a version is its row, its aliases and its source).
 */
export class KyselyReader implements StoreReader {
  constructor(protected readonly db: Kysely<Database>) {}

  private modelTreeQueries?: ModelTreeQueries;
  private lineageQueries?: LineageQueries;
  private deploymentQueries?: DeploymentQueries;
  private recordQueries?: RecordQueries;
  private webhookQueries?: WebhookQueries;
  private webhookDeliveryQueries?: WebhookDeliveryQueries;

  /** Aliases, and the reads and deletes of a model's tree (model-tree-queries.ts). Made when first used, like the others. */
  get lifecycle(): ModelTreeQueries {
    this.modelTreeQueries ??= new ModelTreeQueries(this.db, this.paginate, this);
    return this.modelTreeQueries;
  }

  get lineage(): LineageQueries {
    this.lineageQueries ??= new LineageQueries(this.db, this.paginate);
    return this.lineageQueries;
  }

  get deployments(): DeploymentQueries {
    this.deploymentQueries ??= new DeploymentQueries(this.db, this.paginate);
    return this.deploymentQueries;
  }

  /** The Kubeflow gateway's records and extras. */
  get rest(): RecordQueries {
    this.recordQueries ??= new RecordQueries(this.db, this.paginate);
    return this.recordQueries;
  }

  get webhooks(): WebhookQueries {
    this.webhookQueries ??= new WebhookQueries(this.db, this.paginate);
    return this.webhookQueries;
  }

  get webhookDeliveries(): WebhookDeliveryQueries {
    this.webhookDeliveryQueries ??= new WebhookDeliveryQueries(this.db, this.paginate);
    return this.webhookDeliveryQueries;
  }

  /** The keyset paginator every area shares (page-query.ts). */
  private readonly paginate: Paginate = (base, query, columns, related) => readPage(this.db, base, query, columns, related);

  async revision(): Promise<number> {
    const [row] = await REVISION(this.db, 1);
    if (!row) throw new Error("the meta row is missing");
    return toNumber(row.revision);
  }

  getModel(id: number): Promise<RegisteredModel | undefined> {
    return getModel(this.db, id);
  }

  getModelByDisplayName(displayName: string): Promise<RegisteredModel | undefined> {
    return getModelByDisplayName(this.db, displayName);
  }

  async getVersion(id: number): Promise<ModelVersion | undefined> {
    const row = await versionRow(this.db, id);
    return row ? (await this.hydrateVersions([row]))[0] : undefined;
  }

  async getVersionByString(modelId: number, version: string): Promise<ModelVersion | undefined> {
    const row = await versionRowByString(this.db, modelId, version);
    return row ? (await this.hydrateVersions([row]))[0] : undefined;
  }

  async getLatestVersion(modelId: number): Promise<ModelVersion | undefined> {
    const row = await latestVersionRow(this.db, modelId);
    return row ? (await this.hydrateVersions([row]))[0] : undefined;
  }

  async getLatestVersions(modelIds: readonly number[]): Promise<ModelVersion[]> {
    return this.hydrateVersions(await latestVersionRows(this.db, modelIds));
  }

  async getArtifact(id: number): Promise<ModelArtifact | undefined> {
    return (await this.getArtifacts([id]))[0];
  }

  getArtifacts(ids: number[]): Promise<ModelArtifact[]> {
    return getArtifacts(this.db, ids);
  }

  getRegisterRequest(requestId: string): Promise<RegisterRequestRecord | undefined> {
    return getRegisterRequest(this.db, requestId);
  }

  listModels(query: ListQuery): Promise<ListResult<RegisteredModel>> {
    return listModels(this.db, query);
  }

  async listVersions(scope: VersionScope, query: ListQuery): Promise<ListResult<ModelVersion>> {
    const page = await listVersionRows(this.db, scope, query);
    return { ...page, items: await this.hydrateVersions(page.items) };
  }

  listArtifacts(scope: ArtifactScope, query: ListQuery): Promise<ListResult<ModelArtifact>> {
    return listArtifacts(this.db, scope, query);
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

  /** Versions with their custom properties, aliases and source: a fixed number of queries per page. */
  private async hydrateVersions(rows: VersionRow[]): Promise<ModelVersion[]> {
    const ids = rows.map((r) => toNumber(r.id));
    const [props, aliases, sources] = await Promise.all([
      loadProperties(this.db, ids),
      this.lifecycle.aliasNamesByVersion(ids),
      this.lineage.sourcesOf(ids),
    ]);
    return rows.map((r, i) => {
      const id = ids[i]!;
      return rowToVersion(r, props.get(id) ?? {}, aliases.get(id) ?? [], sources.get(id) ?? null);
    });
  }
}
