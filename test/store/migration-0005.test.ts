import { type Kysely, Migrator, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry, unitOf } from "../../src/registry/shared/registry.js";
import { KyselyRegistryStore } from "../../src/store/kysely/kysely-store.js";
import { migrateToLatest } from "../../src/store/kysely/migrate.js";
import { MIGRATIONS } from "../../src/store/kysely/migrations/index.js";
import type { Database } from "../../src/store/kysely/schema.js";
import { createDialect } from "../../src/store/kysely/open-store.js";
import type { StoreDialect } from "../../src/store/kysely/dialect.js";
import { DIALECTS, type TestDatabase } from "../support/dialects.js";
import { getArtifact, insertArtifact } from "../../src/registry/artifacts/artifacts.js";

/**
 * Migration 0005 on a database written at 0004: model_artifacts is rebuilt with nullable
 * version/model ids and keeps every row (and what refers to it by id: custom properties,
 * extras), and the run attribution of existing artifacts is backfilled from both sources.
 */
for (const dialect of DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] migration 0005-standalone-artifacts on a 0004 database`, () => {
    let db: TestDatabase;
    let store: StoreDialect;
    beforeAll(async () => {
      db = await dialect.create();
      store = await createDialect({ database: db.database, schema: db.schema });
    });
    afterAll(async () => {
      await store?.db.destroy();
      await db?.cleanup();
    });

    /** Kysely's Migrator up to 0004 only, with the bookkeeping migrate.ts uses. */
    async function migrateTo0004(kysely: Kysely<Database>): Promise<void> {
      const schema =
        store.name === "postgres" ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(kysely)).rows[0]!.schema : undefined;
      const migrator = new Migrator({
        db: kysely,
        provider: { getMigrations: async () => ({ ...MIGRATIONS }) },
        migrationTableName: "kysely_migration",
        ...(schema ? { migrationTableSchema: schema } : {}),
      });
      const { error } = await migrator.migrateTo("0004-rest-artifacts");
      if (error) throw error;
    }

    it("keeps every artifact and backfills experimentId/experimentRunId from runs and extras", async () => {
      const k = store.db;
      await migrateTo0004(k);
      const t = 1_700_000_000_000;
      const stamp = { create_time: t, update_time: t };
      await k.updateTable("meta").set({ revision: 7, last_id: 7 }).where("id", "=", 1).execute();
      await k
        .insertInto("registered_models")
        .values({ id: 1, display_name: "m", description: "", owner: "", state: "LIVE", readme: "", ...stamp, revision: 1 })
        .execute();
      await k
        .insertInto("model_versions")
        .values({ id: 2, model_id: 1, version: "v1", description: "", author: "", state: "LIVE", ...stamp, revision: 2 })
        .execute();
      await k
        .insertInto("model_artifacts")
        .values({
          id: 3,
          version_id: 2,
          model_id: 1,
          display_name: "weights",
          description: "d",
          uri: "s3://b/w",
          model_format_name: "onnx",
          model_format_version: "1",
          storage_key: "k",
          storage_path: "p",
          service_account_name: "sa",
          state: "LIVE",
          digest: "sha256:1",
          ...stamp,
          revision: 3,
        })
        .execute();
      await k
        .insertInto("properties")
        .values({
          resource_id: 3,
          key: "accuracy",
          value_type: "double",
          string_value: null,
          int_value: null,
          number_value: 0.9,
          bool_value: null,
          struct_value: null,
        })
        .execute();
      await k
        .insertInto("experiments")
        .values({ id: 4, display_name: "e", description: "", owner: "", state: "LIVE", ...stamp, revision: 4 })
        .execute();
      await k
        .insertInto("experiment_runs")
        .values({
          id: 5,
          experiment_id: 4,
          display_name: "r",
          description: "",
          author: "",
          status: "RUNNING",
          start_time: t,
          end_time: null,
          datasets: "[]",
          ...stamp,
          revision: 5,
        })
        .execute();
      await k
        .insertInto("rest_artifacts")
        .values({
          id: 6,
          kind: "metric",
          parent_type: "run",
          parent_id: 5,
          display_name: "acc",
          description: "",
          uri: "",
          state: "LIVE",
          fields: '{"value":0.5}',
          ...stamp,
          revision: 6,
        })
        .execute();
      await k
        .insertInto("rest_extras")
        .values({
          resource_id: 3,
          resource_type: "ModelArtifact",
          external_id: "ext-3",
          fields: '{"experimentId":"4","experimentRunId":"5","modelSourceKind":"kfp"}',
        })
        .execute();

      expect(await migrateToLatest(k)).toContain("0005-standalone-artifacts");

      const runs = await k.selectFrom("rest_artifact_runs").selectAll().orderBy("artifact_id").execute();
      expect(runs.map((r) => [Number(r.artifact_id), Number(r.experiment_id), Number(r.experiment_run_id)])).toEqual([
        [3, 4, 5],
        [6, 4, 5],
      ]);
      const opened = await KyselyRegistryStore.open(store, {});
      const registry = new Registry(opened);
      const artifact = await getArtifact(registry, { kind: "linked", modelId: 1, versionId: 2, artifactId: 3 });
      expect(artifact).toMatchObject({
        id: 3,
        versionId: 2,
        modelId: 1,
        displayName: "weights",
        uri: "s3://b/w",
        modelFormatName: "onnx",
        storageKey: "k",
        digest: "sha256:1",
        state: "LIVE",
        customProperties: { accuracy: { type: "double", value: 0.9 } },
        revision: 3,
      });
      expect((await unitOf(registry).read((r) => r.rest.getExtras([3]))).get(3)?.externalId).toBe("ext-3");
      const standalone = await unitOf(registry).write((w) =>
        insertArtifact(registry, w, null, { ...artifact, displayName: "loose", state: undefined, customProperties: {} }, { actor: "test" }),
      );
      expect(await getArtifact(registry, { kind: "unlinked", artifactId: standalone.id })).toMatchObject({
        versionId: null,
        modelId: null,
        displayName: "loose",
      });
    });
  });
}
