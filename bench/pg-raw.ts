import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { encodeJson } from "../src/registry/core/json-codec.js";
import type { ModelArtifact, ModelVersion, Properties } from "../src/registry/core/types.js";
import { artifactToRow } from "../src/store/kysely/artifacts/artifact-queries.js";
import { propertyToRow } from "../src/store/kysely/sql/metadata.js";
import { versionToRow } from "../src/store/kysely/versions/version-queries.js";
import type { Database } from "../src/store/kysely/schema.js";
import { percentile } from "./stats.js";

/**
 * The Postgres baseline of goal 3, as its own process pinned to the server's core: the writes of
 * one RegisterModel (lock the revision counter, insert the version, its properties, the
 * artifact and both events, bump the counter) as one hand-driven transaction of plain pg
 * queries, c transactions in flight over a pool as big as the server's. The SQL text is what
 * Kysely generates for the store's own rows (compiled once at start); no query builder runs per
 * transaction.
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1]!);
const schema = args.get("schema")!;
const pool = new pg.Pool({
  connectionString: args.get("database")!,
  max: Number(args.get("pool-size") ?? 10),
  options: `-c search_path="${schema}"`,
});
const compiler = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

const PROPERTIES: Properties = {
  accuracy: { type: "double", value: 0.9 },
  f1_score: { type: "double", value: 0.8 },
  epochs: { type: "int", value: 10n },
  framework: { type: "string", value: "pytorch" },
  dataset: { type: "string", value: "dataset-1" },
};

function rows(modelId: number, modelName: string, revision: number, lastId: number, n: number) {
  const now = new Date();
  const version: ModelVersion = {
    id: lastId + 1,
    modelId,
    modelDisplayName: modelName,
    version: `raw-${process.pid}-${n}`,
    description: "registered by the benchmark",
    author: "bench@example.com",
    state: "LIVE",
    customProperties: PROPERTIES,
    createTime: now,
    updateTime: now,
    revision: revision + 1,
  };
  const artifact: ModelArtifact = {
    id: lastId + 2,
    versionId: version.id,
    modelId,
    displayName: "",
    description: "",
    uri: `s3://bench/${modelName}/${version.version}/model.onnx`,
    modelFormatName: "onnx",
    modelFormatVersion: "1.14",
    storageKey: "",
    storagePath: "",
    serviceAccountName: "",
    state: "UNKNOWN",
    digest: "",
    customProperties: {},
    createTime: now,
    updateTime: now,
    revision: revision + 2,
  };
  const event = (r: number, type: string, resourceType: string, name: string, value: unknown) => ({
    revision: r,
    type,
    resource_type: resourceType,
    resource_name: name,
    model_id: modelId,
    actor: "anonymous",
    reason: "",
    time: now.getTime(),
    snapshot: encodeJson(value),
    previous: null,
  });
  const versionName = `registeredModels/${modelId}/versions/${version.id}`;
  return {
    version: versionToRow(version),
    properties: Object.entries(PROPERTIES).map(([k, v]) => propertyToRow(version.id, k, v)),
    artifact: artifactToRow(artifact),
    events: [
      event(version.revision, "CREATED", "ModelVersion", versionName, version),
      event(artifact.revision, "CREATED", "ModelArtifact", `${versionName}/artifacts/${artifact.id}`, artifact),
    ],
    revision: revision + 2,
    lastId: lastId + 2,
  };
}

const sample = rows(1, "m", 0, 0, 0);
const SQL = {
  lock: compiler.updateTable("meta").set({ revision: sql`revision` }).where("id", "=", 1).returning(["revision", "last_id"]).compile().sql,
  version: compiler.insertInto("model_versions").values(sample.version).compile().sql,
  properties: compiler.insertInto("properties").values(sample.properties).compile().sql,
  artifact: compiler.insertInto("model_artifacts").values(sample.artifact).compile().sql,
  events: compiler.insertInto("events").values(sample.events).compile().sql,
  bump: compiler.updateTable("meta").set({ revision: 0, last_id: 0 }).where("id", "=", 1).compile().sql,
};
const flat = (list: Array<Record<string, unknown>>) => list.flatMap((r) => Object.values(r));

let counter = 0;
async function transaction(modelId: number, modelName: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const meta = (await client.query(SQL.lock, [1])).rows[0] as { revision: string; last_id: string };
    const r = rows(modelId, modelName, Number(meta.revision), Number(meta.last_id), counter++);
    await client.query(SQL.version, Object.values(r.version));
    await client.query(SQL.properties, flat(r.properties));
    await client.query(SQL.artifact, Object.values(r.artifact));
    await client.query(SQL.events, flat(r.events));
    await client.query(SQL.bump, [r.revision, r.lastId, 1]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

process.on("message", (command: { id: number; run?: { ms: number; concurrency: number; modelId: number; modelName: string }; stop?: true }) => {
  void (async () => {
    if (command.stop) {
      await compiler.destroy();
      process.send!({ id: command.id, result: true }, () => process.exit(0));
      return;
    }
    const { ms, concurrency, modelId, modelName } = command.run!;
    const latencies: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    const started = performance.now();
    const deadline = started + ms;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          const t = performance.now();
          try {
            await transaction(modelId, modelName);
          } catch (error) {
            errors++;
            firstError ??= String(error);
          }
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    process.send!({
      id: command.id,
      result: {
        requests: latencies.length,
        errors,
        firstError,
        seconds,
        rps: latencies.length / seconds,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        clientCpu: 0,
        serverCpuUs: 0,
      },
    });
  })().catch((error: unknown) => process.send!({ id: command.id, error: String(error) }));
});
process.send!({ ready: true });
