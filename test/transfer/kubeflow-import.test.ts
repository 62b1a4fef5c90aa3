import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "../support/dialects.js";
import { emptyDatabase, runOperation, sqliteDatabase } from "../support/operations.js";
import { startTestServer, type TestServer } from "../support/server.js";

const sqliteMemory = DIALECTS.find((d) => d.name === "sqlite-memory")!;
const sqliteFile = DIALECTS.find((d) => d.name === "sqlite-file")!;
const postgres = DIALECTS.find((d) => d.name === "postgres")!;

type Json = Record<string, unknown>;

/** A small Kubeflow REST client of one server. */
function kubeflow(baseUrl: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const response = await fetch(`${baseUrl}/api/model_registry/v1alpha3${path}`, {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await response.json()) as Json;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const all = async (path: string): Promise<Json[]> => {
    const items = (await call("GET", `${path}?pageSize=1000&orderBy=ID`)).items;
    return Array.isArray(items) ? items : [];
  };
  return {
    get: (p: string) => call("GET", p),
    post: (p: string, b: unknown) => call("POST", p, b),
    patch: (p: string, b: unknown) => call("PATCH", p, b),
    all,
  };
}

const string = (value: string) => ({ metadataType: "MetadataStringValue", string_value: value });
const double = (value: number) => ({ metadataType: "MetadataDoubleValue", double_value: value });
const int = (value: string) => ({ metadataType: "MetadataIntValue", int_value: value });

/** Three of each (two pages at page size 2): experiments with runs and run artifacts, models with versions and artifacts. */
async function seedKubeflow(api: ReturnType<typeof kubeflow>) {
  const runIds: string[] = [];
  const experimentIds: string[] = [];
  for (let e = 0; e < 3; e++) {
    const experiment = await api.post("/experiments", { name: `exp-${e}`, owner: "ds", customProperties: { quarter: string("Q4") } });
    experimentIds.push(String(experiment.id));
    for (let r = 0; r < 3; r++) {
      const run = await api.post(`/experiments/${experiment.id}/experiment_runs`, {
        name: `run-${r}`,
        owner: "ana",
        startTimeSinceEpoch: String(1_700_000_000_000 + r),
        customProperties: { seed: int(String(r)) },
      });
      runIds.push(String(run.id));
      await api.post(`/experiment_runs/${run.id}/artifacts`, { artifactType: "metric", name: "accuracy", value: 0.9 + r / 100, step: 1 });
      await api.post(`/experiment_runs/${run.id}/artifacts`, { artifactType: "parameter", name: "lr", value: "0.01", parameterType: "number" });
    }
  }
  for (let m = 0; m < 3; m++) {
    const model = await api.post("/registered_models", {
      name: `model-${m}`,
      owner: "fraud",
      description: `model ${m}`,
      externalId: `ext-${m}`,
      customProperties: { team: string("fraud") },
    });
    for (let v = 0; v < 3; v++) {
      const version = await api.post(`/registered_models/${model.id}/versions`, {
        name: `v${v}`,
        author: "ana",
        registeredModelId: model.id,
        customProperties: { accuracy: double(0.8 + v / 10) },
      });
      await api.post(`/model_versions/${version.id}/artifacts`, {
        artifactType: "model-artifact",
        name: "model",
        uri: `s3://models/${m}/${v}/model.onnx`,
        modelFormatName: "onnx",
        modelFormatVersion: "1",
        customProperties: { size: int("1234"), checksum: string(`sha-${m}-${v}`) },
        experimentId: experimentIds[m],
        experimentRunId: runIds[m * 3 + v],
      });
      await api.post(`/model_versions/${version.id}/artifacts`, { artifactType: "doc-artifact", name: "readme", uri: `s3://docs/${m}/${v}.md` });
      if (m === 1 && v === 2) await api.patch(`/model_versions/${version.id}`, { state: "ARCHIVED" });
    }
    if (m === 2) await api.patch(`/registered_models/${model.id}`, { state: "ARCHIVED" });
  }
}

/**
 * Everything the Kubeflow API shows, with the fields a copy cannot keep (ids, times) left out and
 * references by id replaced by the referenced resource's name.
 */
async function kubeflowListing(api: ReturnType<typeof kubeflow>) {
  const names = new Map<string, string>();
  const strip = (item: Json) => {
    const { id: _id, createTimeSinceEpoch: _created, lastUpdateTimeSinceEpoch: _updated, registeredModelId: _model, ...rest } = item;
    for (const ref of ["experimentId", "experimentRunId"]) if (rest[ref] !== undefined) rest[ref] = names.get(`${ref}:${String(rest[ref])}`) ?? "?";
    return rest;
  };
  const experiments = [];
  for (const experiment of await api.all("/experiments")) {
    names.set(`experimentId:${experiment.id}`, String(experiment.name));
    const runs = [];
    for (const run of await api.all(`/experiments/${experiment.id}/experiment_runs`)) {
      names.set(`experimentRunId:${run.id}`, `${experiment.name}/${run.name}`);
      runs.push({ ...strip(run), experimentId: experiment.name, artifacts: (await api.all(`/experiment_runs/${run.id}/artifacts`)).map(strip) });
    }
    experiments.push({ ...strip(experiment), runs });
  }
  const models = [];
  for (const model of await api.all("/registered_models")) {
    const versions = [];
    for (const version of await api.all(`/registered_models/${model.id}/versions`)) {
      versions.push({ ...strip(version), artifacts: (await api.all(`/model_versions/${version.id}/artifacts`)).map(strip) });
    }
    models.push({ ...strip(model), versions });
  }
  return { experiments, models };
}

describe("import --from-kubeflow", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "kubeflow-import-"));
  const cleanups: Array<() => Promise<void>> = [];
  let source: TestServer;
  let expected: Awaited<ReturnType<typeof kubeflowListing>>;

  beforeAll(async () => {
    source = await startTestServer(sqliteMemory);
    await seedKubeflow(kubeflow(source.url));
    expected = await kubeflowListing(kubeflow(source.url));
    expect(expected.models.flatMap((m) => m.versions.flatMap((v) => v.artifacts))).toHaveLength(18);
    expect(expected.experiments.flatMap((e) => e.runs.flatMap((r) => r.artifacts))).toHaveLength(18);
  }, 120_000);
  afterAll(async () => {
    await source?.close();
    for (const cleanup of cleanups) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const targets = [
    { name: "sqlite-file" as const, enabled: true },
    { name: "postgres" as const, enabled: postgres.enabled },
  ];
  for (const target of targets) {
    it.runIf(target.enabled)(
      `[${target.name}] copies models, versions, artifacts, experiments and runs page by page, and a second run adds nothing`,
      async () => {
        const db = await emptyDatabase(target.name, join(dir, "target.db"));
        cleanups.push(db.cleanup);
        const first = await runOperation(["import", "--from-kubeflow", source.url, "--database", db.url, "--page-size", "2", "--progress", "json"]);
        expect(first.code, first.stderr).toBe(0);
        expect(first.stdout).toMatch(/created 3 experiments, 9 runs, 3 models, 9 versions, 36 artifacts; already there: nothing/);
        expect(first.stderr).toMatch(/"phase":"run artifacts"/);

        const again = await runOperation(["import", "--from-kubeflow", source.url, "--database", db.url, "--page-size", "2", "--progress", "off"]);
        expect(again.code, again.stderr).toBe(0);
        expect(again.stdout).toMatch(/created nothing; already there: 3 experiments, 9 runs, 3 models, 9 versions, 36 artifacts/);

        const server = await startTestServer(db.schema ? postgres : sqliteFile, db);
        try {
          expect(await kubeflowListing(kubeflow(server.url))).toEqual(expected);
          const events = await server.client("grpc").listEvents({ pageSize: 1000 });
          expect(new Set(events.events.map((e) => e.actor))).toEqual(new Set(["kubeflow-import"]));
        } finally {
          await server.close();
        }
      },
    );
  }

  it("names the source and the status when the source is not a Kubeflow registry", async () => {
    const db = sqliteDatabase(join(dir, "unreachable.db"));
    const result = await runOperation(["import", "--from-kubeflow", `${source.url}/nowhere`, "--database", db.url, "--progress", "off"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/GET .*\/nowhere\/api\/model_registry\/v1alpha3\/experiments.*404/);
  });
});
