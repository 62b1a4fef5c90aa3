/**
 * Fuzzing the Kubeflow REST gateway for a fixed time budget with a fixed seed (the failure message
 * names the request, so it reproduces): mutated JSON bodies (values, keys, types, raw text) and
 * mutated query strings against the running server over SQLite and Postgres. Every answer must
 * be a 2xx or a 4xx in Kubeflow's error shape (never a 5xx), a refused request must write
 * nothing (the store's revision stays put), and the server must keep serving.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/health/v1/health_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { mv, STATUS_TEXT } from "../rest/support/kubeflow-api.js";
import { BUDGET_MS, forBudgetAsync, HOSTILE, mutateJson, mutateText, random, type Rng, SEED } from "./fuzz-support.js";
import { type SecureServer, startSecureServer } from "./support.js";
import { unitOf } from "../../src/registry/shared/registry.js";

const PREFIX = "/api/model_registry/v1alpha3";

const PROPERTIES = {
  team: mv.string("risk"),
  epochs: mv.int(10),
  accuracy: mv.double(0.9),
  calibrated: mv.bool(true),
  hyper: mv.struct({ lr: 0.01, layers: [64, 32] }),
};

/** Valid bodies of writes (ids 1 name the seeded model, version and artifact). */
const BODIES: Array<{ method: "POST" | "PATCH"; path: string; body: Record<string, unknown> }> = [
  {
    method: "POST",
    path: "/registered_models",
    body: { name: "m", description: "d", owner: "o", externalId: "x", tasks: ["t"], language: ["en"], customProperties: PROPERTIES },
  },
  { method: "PATCH", path: "/registered_models/1", body: { description: "d", state: "LIVE", maturity: "GA", customProperties: PROPERTIES } },
  { method: "POST", path: "/model_versions", body: { name: "v", registeredModelId: "1", author: "a", customProperties: PROPERTIES } },
  { method: "PATCH", path: "/model_versions/1", body: { description: "d", state: "ARCHIVED", customProperties: { team: mv.string("x") } } },
  {
    method: "POST",
    path: "/model_versions/1/artifacts",
    body: {
      artifactType: "model-artifact",
      name: "a",
      uri: "s3://b/m.onnx",
      modelFormatName: "onnx",
      modelFormatVersion: "1",
      customProperties: PROPERTIES,
    },
  },
  { method: "POST", path: "/model_versions/1/artifacts", body: { artifactType: "doc-artifact", name: "readme", uri: "https://x/readme.md" } },
  { method: "PATCH", path: "/model_artifacts/1", body: { artifactType: "model-artifact", uri: "s3://b/n.onnx", storagePath: "p" } },
  { method: "POST", path: "/artifacts", body: { artifactType: "metric", name: "acc", value: 0.5, step: 1, timestamp: "1700000000000" } },
  { method: "POST", path: "/artifacts", body: { artifactType: "parameter", name: "lr", value: "0.1", parameterType: "number" } },
  { method: "POST", path: "/experiments", body: { name: "e", owner: "o", customProperties: PROPERTIES } },
  { method: "POST", path: "/serving_environments", body: { name: "env", description: "d" } },
];

/** Valid reads with query strings. */
const QUERIES: Array<{ path: string; query: Record<string, string> }> = [
  { path: "/registered_models", query: { pageSize: "10", orderBy: "CREATE_TIME", sortOrder: "DESC", filterQuery: "name = 'fraud'" } },
  { path: "/model_versions", query: { pageSize: "5", filterQuery: "accuracy > 0.5 AND state = 'LIVE'", nextPageToken: "" } },
  { path: "/artifacts", query: { artifactType: "model-artifact", pageSize: "2", orderBy: "ID" } },
  { path: "/registered_model", query: { name: "fraud", externalId: "ext-1" } },
  { path: "/model_version", query: { name: "v1", parentResourceId: "1" } },
  { path: "/model_artifact", query: { name: "model", parentResourceId: "1" } },
  { path: "/registered_models/1/versions", query: { name: "v1", pageSize: "1" } },
  { path: "/experiment_runs/metric_history", query: { name: "acc", stepIds: "1,2" } },
];

/** A body: its JSON mutated (most rounds), or its text mutated (may not parse). */
function mutateBody(rng: Rng, body: Record<string, unknown>): string {
  return rng.int(4) === 0 ? mutateText(rng, JSON.stringify(body)) : JSON.stringify(mutateJson(rng, body));
}

/** A query string: values replaced or mutated, parameters dropped or added. */
function mutateQuery(rng: Rng, query: Record<string, string>): URLSearchParams {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    const r = rng.int(5);
    if (r === 0) continue;
    out.set(r === 1 && rng.int(4) === 0 ? rng.pick(HOSTILE) : key, r === 2 ? rng.pick(HOSTILE) : r === 3 ? mutateText(rng, value) : value);
  }
  if (rng.int(4) === 0) out.set(rng.pick(["pageSize", "filterQuery", "orderBy", "externalId", "parentResourceId", "bogus"]), rng.pick(HOSTILE));
  return out;
}

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] fuzz: the REST gateway`, () => {
    let server: SecureServer;
    beforeAll(async () => {
      server = await startSecureServer(dialect, {});
      const res = await server.client("grpc").registerModel({
        registeredModel: { displayName: "fraud" },
        modelVersion: { version: "v1" },
        modelArtifacts: [{ displayName: "model", uri: "s3://b/m.onnx" }],
      });
      expect(res.modelVersion?.name).toBe("registeredModels/1/versions/2");
    });
    afterAll(() => server?.close());
    const revision = () => unitOf(server.app.registry).read((r) => r.revision());

    /** Sends requests for the budget; every answer is checked. Returns the statuses seen. */
    async function fuzz(next: (rng: Rng) => { url: string; init: RequestInit }, seed: number): Promise<Map<number, number>> {
      const rng = random(seed);
      const seen = new Map<number, number>();
      const rounds = await forBudgetAsync(async (round) => {
        const { url, init } = next(rng);
        const before = await revision();
        const res = await fetch(url, init);
        const text = await res.text();
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        const request = `seed ${seed} round ${round}: ${init.method} ${url} ${typeof init.body === "string" ? init.body : ""}`;
        if (res.status >= 500) throw new Error(`${request} -> ${res.status} ${text}`);
        if (res.status >= 400) {
          const error = JSON.parse(text) as { code: string; message: string };
          const reason = res.headers.get("x-error-reason") ?? "";
          expect(Object.keys(error).sort(), request).toEqual(["code", "message"]);
          expect(error.code, request).toBe(reason === "REQUIRED_FIELD" ? "Bad Request" : STATUS_TEXT[res.status]);
          expect(reason, request).toMatch(/^[A-Z_]+$/);
          expect(await revision(), `${request} was refused (${res.status}) but wrote`).toBe(before);
        }
      });
      if (process.env.FUZZ_VERBOSE) console.log(`REST fuzz: ${rounds} rounds`, Object.fromEntries(seen));
      expect(rounds).toBeGreaterThan(10);
      expect((await server.clientOf(Health, "grpc").check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      expect((await fetch(`${server.url}${PREFIX}/registered_models/1`)).status).toBe(200);
      return seen;
    }

    it(`answers mutated JSON bodies for ${BUDGET_MS} ms without a 5xx, writing nothing when refusing`, async () => {
      const seen = await fuzz((rng) => {
        const seed = rng.pick(BODIES);
        return {
          url: `${server.url}${PREFIX}${seed.path}`,
          init: { method: seed.method, headers: { "content-type": "application/json" }, body: mutateBody(rng, seed.body) },
        };
      }, SEED + 3);
      expect([...seen.keys()].some((s) => s < 300)).toBe(true);
      expect([...seen.keys()].some((s) => s >= 400)).toBe(true);
    });

    it(`answers mutated query strings for ${BUDGET_MS} ms without a 5xx`, async () => {
      const seen = await fuzz((rng) => {
        const seed = rng.pick(QUERIES);
        return { url: `${server.url}${PREFIX}${seed.path}?${mutateQuery(rng, seed.query).toString()}`, init: { method: "GET" } };
      }, SEED + 4);
      expect([...seen.keys()].some((s) => s < 300)).toBe(true);
      expect([...seen.keys()].some((s) => s >= 400)).toBe(true);
    });
  });
}
