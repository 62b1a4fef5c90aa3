import type { Kysely } from "kysely";
import type { ModelArtifact, ModelVersion } from "../../registry/core/types.js";
import type { AliasWriter, ListQuery, StoreReader } from "../../registry/ports/store.js";
import { AliasQueries } from "./aliases/alias-queries.js";
import { toNumber } from "./sql/integers.js";
import { deleteMetadata } from "./sql/metadata.js";
import type { Paginate } from "./sql/page-query.js";
import type { Database } from "./schema.js";

/** A list query for "all of them", oldest first (cascades and deletes). */
const EVERYTHING: ListQuery = {
  filter: null,
  sort: [{ kind: "column", column: "create_time", desc: false }],
  after: null,
  limit: 1_000_000_000,
  withTotal: false,
};

/** Artifact states a server can download from. */
const SERVABLE = ["LIVE", "REFERENCE", "UNKNOWN"];

/**
 * The store's `lifecycle` area (AliasWriter): the aliases (alias-queries.ts), and the reads
 * and row deletes that walk a model's tree of versions and artifacts, across their tables.
 */
export class ModelTreeQueries extends AliasQueries implements AliasWriter {
  constructor(
    protected override readonly db: Kysely<Database>,
    paginate: Paginate,
    private readonly reader: StoreReader,
  ) {
    super(db, paginate);
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
