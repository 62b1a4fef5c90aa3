import { expect, it } from "vitest";
import { mv } from "./support/kubeflow-api.js";
import { describeKubeflow } from "./support/kubeflow-suite.js";

describeKubeflow("Kubeflow REST: generic artifacts (doc, dataset, metric, parameter)", (suite) => {
  const { api, unique } = suite;
  async function version() {
    const model = await api.ok("createRegisteredModel", { body: { name: unique("m") } }, 201);
    return api.ok("createModelVersion", { body: { name: "v1", registeredModelId: model.id } }, 201);
  }

  it("creates each artifact type outside any parent and reads it back with its own fields", async () => {
    const tag = unique("types");
    const bodies = [
      { artifactType: "doc-artifact", name: unique("doc"), uri: "https://docs.example.com/card.md" },
      {
        artifactType: "dataset-artifact",
        name: unique("data"),
        uri: "s3://data/train.parquet",
        digest: "sha256:abc",
        sourceType: "s3",
        source: "s3://data",
        schema: '{"cols":3}',
        profile: "rows=10",
      },
      { artifactType: "metric", name: unique("accuracy"), value: 0.93, step: 4, timestamp: "1700000000000" },
      { artifactType: "parameter", name: unique("lr"), value: "0.01", parameterType: "number" },
    ];
    for (const body of bodies) {
      const created = await api.ok(
        "createArtifact",
        { body: { ...body, description: "d", externalId: unique("ext"), customProperties: { tag: mv.string(tag) } } },
        201,
      );
      expect(created).toMatchObject({ ...body, state: "UNKNOWN", description: "d" });
      expect(await api.ok("getArtifact", { path: { id: created.id } })).toEqual(created);
      expect(await api.ok("findArtifact", { query: { externalId: created.externalId } })).toEqual(created);
      expect(await api.ok("findArtifact", { query: { name: body.name } })).toEqual(created);
    }
    const listed = await api.ok("getArtifacts", { query: { filterQuery: `tag = "${tag}"` } });
    expect(listed.items.map((a: { artifactType: string }) => a.artifactType)).toEqual(bodies.map((b) => b.artifactType));
    const metrics = await api.ok("getArtifacts", { query: { filterQuery: `tag = "${tag}"`, artifactType: "metric" } });
    expect(metrics.items).toHaveLength(1);
  });

  it("rejects fields of another artifact type and bad values with 400", async () => {
    await api.fails("createArtifact", { body: { artifactType: "doc-artifact", name: "x", value: 1 } }, 400);
    await api.fails("createArtifact", { body: { artifactType: "metric", name: "x", value: "high" } }, 400);
    await api.fails("createArtifact", { body: { artifactType: "parameter", name: "x", parameterType: "float" } }, 400);
    await api.fails("createArtifact", { body: { artifactType: "metric", name: "x", timestamp: "yesterday" } }, 400);
    await api.fails("createArtifact", { body: { artifactType: "doc-artifact", name: "x", uri: "a\u0007bell" } }, 400);
  });

  it("patches an artifact as a merge and refuses to change its type", async () => {
    const created = await api.ok(
      "createArtifact",
      { body: { artifactType: "dataset-artifact", name: unique("ds"), uri: "s3://d/1", digest: "sha256:1", customProperties: { a: mv.int(1) } } },
      201,
    );
    const patched = await api.ok("updateArtifact", {
      path: { id: created.id },
      body: { artifactType: "dataset-artifact", digest: "sha256:2", state: "LIVE" },
    });
    expect(patched).toMatchObject({ name: created.name, uri: "s3://d/1", digest: "sha256:2", state: "LIVE", customProperties: { a: mv.int(1) } });
    const untyped = await api.ok("updateArtifact", { path: { id: created.id }, body: { customProperties: {} } });
    expect(untyped).toMatchObject({ digest: "sha256:2", customProperties: {} });
    await api.fails("updateArtifact", { path: { id: created.id }, body: { artifactType: "doc-artifact" } }, 400);
    await api.fails("updateArtifact", { path: { id: "999999999" }, body: { state: "LIVE" } }, 404);
    await api.fails("getArtifact", { path: { id: "999999999" } }, 404);
  });

  it("serves a model artifact through the generic artifact endpoints too", async () => {
    const v = await version();
    const art = await api.ok("upsertModelVersionArtifact", { path: { modelversionId: v.id }, body: { name: "m", uri: "s3://b/m" } }, 201);
    expect(await api.ok("getArtifact", { path: { id: art.id } })).toEqual(art);
    const patched = await api.ok("updateArtifact", { path: { id: art.id }, body: { artifactType: "model-artifact", modelFormatName: "onnx" } });
    expect(patched).toMatchObject({ id: art.id, modelFormatName: "onnx", uri: "s3://b/m" });
    expect(await api.ok("findArtifact", { query: { name: "m", parentResourceId: v.id } })).toEqual(patched);
  });

  it("lists a version's artifacts of every type, model artifacts first, paging across both kinds", async () => {
    const v = await version();
    const upsert = (body: object, status = 201) => api.ok("upsertModelVersionArtifact", { path: { modelversionId: v.id }, body }, status);
    const m1 = await upsert({ artifactType: "model-artifact", name: "weights", uri: "s3://b/w" });
    const doc = await upsert({ artifactType: "doc-artifact", name: "card", uri: "s3://b/card.md" });
    const m2 = await upsert({ artifactType: "model-artifact", name: "tokenizer", uri: "s3://b/t" });
    const data = await upsert({ artifactType: "dataset-artifact", name: "train", uri: "s3://b/train" });
    expect(await upsert({ artifactType: "doc-artifact", name: "card", description: "updated" }, 200)).toMatchObject({
      id: doc.id,
      uri: "s3://b/card.md",
    });
    for (const pageSize of ["1", "2", "3", "10"]) {
      const seen: string[] = [];
      let token = "";
      let pages = 0;
      do {
        const page = await api.ok("getModelVersionArtifacts", { path: { modelversionId: v.id }, query: { pageSize, nextPageToken: token } });
        expect(page.size).toBeLessThanOrEqual(Number(pageSize));
        seen.push(...page.items.map((a: { id: string }) => a.id));
        token = page.nextPageToken;
      } while (token !== "" && ++pages < 10);
      expect(seen, `pageSize ${pageSize}`).toEqual([m1.id, m2.id, doc.id, data.id]);
    }
    const docs = await api.ok("getModelVersionArtifacts", { path: { modelversionId: v.id }, query: { artifactType: "doc-artifact" } });
    expect(docs.items.map((a: { id: string }) => a.id)).toEqual([doc.id]);
    const named = await api.ok("getModelVersionArtifacts", { path: { modelversionId: v.id }, query: { name: "train" } });
    expect(named.items.map((a: { id: string }) => a.id)).toEqual([data.id]);
    await api.fails("getModelVersionArtifacts", { path: { modelversionId: v.id }, query: { artifactType: "weights" } }, 400);
    await api.fails("getModelVersionArtifacts", { path: { modelversionId: "999999999" } }, 404);
  });
});
