import { randomBytes } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { dropSchema, POSTGRES_URL } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { seedRegisterRequest } from "../support/fixtures.js";
import { postgresUrlWithSchema, runCli, type ServerProcess, spawnServer } from "../support/process.js";

/** Two server processes on one Postgres schema: the scale-out model. */
describe.runIf(POSTGRES_URL !== "")("[postgres] replicas", () => {
  const schema = `test_replicas_${randomBytes(4).toString("hex")}`;
  // Built in beforeAll, not here: vitest runs this body while collecting, with or without Postgres.
  let url = "";
  let replicas: ServerProcess[] = [];
  const managers: Http2SessionManager[] = [];
  const clientOf = (replica: ServerProcess) => {
    const sessionManager = new Http2SessionManager(replica.url);
    managers.push(sessionManager);
    return createClient(ModelRegistryService, createGrpcTransport({ baseUrl: replica.url, sessionManager }));
  };

  beforeAll(async () => {
    url = postgresUrlWithSchema(POSTGRES_URL, schema);
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.end();
    // Both start at once on an empty schema: the migration lock must keep them from racing.
    replicas = await Promise.all([spawnServer(["--database", url]), spawnServer(["--database", url])]);
  }, 60_000);

  afterAll(async () => {
    for (const m of managers) m.abort();
    await Promise.all(replicas.map((r) => r.stop()));
    await dropSchema(schema);
  });

  it("lets exactly one of 50 registrations of the same version win across two replicas", async () => {
    const clients = replicas.map(clientOf);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => clients[i % 2]!.registerModel(seedRegisterRequest({ name: "race", version: "v1" }))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) {
      if (r.status === "rejected") expect((await failure(Promise.reject(r.reason))).reason).toBe("VERSION_EXISTS");
    }
  });

  it("keeps all of 50 distinct registrations across two replicas with no duplicate ids", async () => {
    const clients = replicas.map(clientOf);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => clients[i % 2]!.registerModel(seedRegisterRequest({ name: "spread", version: `v${i}` }))),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const model = await clients[1]!.getRegisteredModel({ displayName: "spread" });
    const page = await clients[0]!.listModelVersions({ parent: model.registeredModel!.name, pageSize: 100, showTotalSize: true });
    expect(page.totalSize).toBe(50n);
    expect(new Set(page.modelVersions.map((v) => v.version)).size).toBe(50);
    const ids = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.modelVersion!.id, ...r.value.modelArtifacts.map((a) => a.id)] : []));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("reports an up-to-date schema from the migrate command", async () => {
    const { code, output } = await runCli(["migrate", "--database", url]);
    expect(code).toBe(0);
    expect(output).toContain("schema is up to date");
  }, 30_000);
});

describe.runIf(POSTGRES_URL !== "")("[postgres] schema versions", () => {
  const schema = `test_future_${randomBytes(4).toString("hex")}`;
  afterAll(() => dropSchema(schema));

  it("refuses to start against a schema migrated by a newer server", async () => {
    const url = postgresUrlWithSchema(POSTGRES_URL, schema);
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.end();
    expect((await runCli(["migrate", "--database", url])).code).toBe(0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-from-the-future', '2030-01-01T00:00:00Z')`);
    await client.end();
    const started = await spawnServer(["--database", url]).then(
      (s) => s.stop().then(() => "started"),
      (e: Error) => e.message,
    );
    expect(started).toContain("newer than this server");
  }, 30_000);
});
