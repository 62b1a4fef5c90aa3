import { describe, expect, it } from "vitest";
import { AlreadyExistsError, EtagMismatchError, FailedPreconditionError, NotFoundError } from "../../src/registry/core/errors.js";

import { registerModel } from "../../src/registry/models/register-model.js";
import type { TestDialect } from "../support/dialects.js";
import { artifactInput, ctx, dbl, int, listAll, listRequest, modelInput, str, useRegistry, versionInput } from "./contract-fixtures.js";
import { describeQueryContract } from "./contract-query.js";
import { createArtifact, getArtifact, listArtifacts, updateArtifact } from "../../src/registry/artifacts/artifacts.js";
import { createModel, getModel, insertModel, updateModel } from "../../src/registry/models/models.js";
import { createVersion, getVersion, insertVersion, listVersions, updateVersion } from "../../src/registry/versions/versions.js";
import { etagOf } from "../../src/registry/shared/changes.js";
import { unitOf } from "../../src/registry/shared/registry.js";

/**
 * The store contract: what every engine must do identically, exercised through the Registry over
 * an opened store (CRUD, revisions and events, transactions, classified errors), plus the query
 * contract (filters, ordering, paging; contract-query.ts). store.test.ts runs it for each dialect.
 */
export function describeStoreContract(dialect: TestDialect): void {
  describe.runIf(dialect.enabled)(`[${dialect.name}] store contract`, () => {
    describeWriteContract(dialect);
    describeQueryContract(dialect);
  });
}

function describeWriteContract(dialect: TestDialect): void {
  describe("writes", () => {
    const t = useRegistry(dialect);
    const revision = () => unitOf(t.registry).read((r) => r.revision());

    it("creates, reads and updates a registered model", async () => {
      t.at("2025-01-01T00:00:00Z");
      const created = await createModel(
        t.registry,
        modelInput("crud-model", { owner: "risk", labels: { team: "fraud" }, customProperties: { tier: int(1) } }),
        ctx,
      );
      expect(await getModel(t.registry, { id: created.id })).toEqual(created);
      expect(await getModel(t.registry, { displayName: "crud-model" })).toEqual(created);

      t.at("2025-01-02T00:00:00Z");
      const updated = await updateModel(
        t.registry,
        created.id,
        { input: modelInput("", { description: "now documented" }), mask: ["description"], etag: etagOf(created) },
        ctx,
      );
      expect(updated).toMatchObject({ description: "now documented", owner: "risk", labels: { team: "fraud" } });
      expect(updated.updateTime.toISOString()).toBe("2025-01-02T00:00:00.000Z");
      expect(updated.createTime).toEqual(created.createTime);
      expect(await getModel(t.registry, { id: created.id })).toEqual(updated);
    });

    it("refuses an update with a stale etag", async () => {
      const created = await createModel(t.registry, modelInput("etag-model"), ctx);
      await updateModel(t.registry, created.id, { input: modelInput("", { owner: "a" }), mask: ["owner"], etag: "" }, ctx);
      const stale = updateModel(t.registry, created.id, { input: modelInput("", { owner: "b" }), mask: ["owner"], etag: etagOf(created) }, ctx);
      await expect(stale).rejects.toBeInstanceOf(EtagMismatchError);
      expect((await getModel(t.registry, { id: created.id })).owner).toBe("a");
    });

    it("creates versions and artifacts, and resolves latest to the newest LIVE version", async () => {
      const model = await createModel(t.registry, modelInput("crud-versions"), ctx);
      t.at("2025-02-01T00:00:00Z");
      const v1 = await createVersion(t.registry, model.id, versionInput("v1", { accuracy: dbl(0.9), epochs: int(10n) }), ctx);
      t.at("2025-02-02T00:00:00Z");
      const v2 = await createVersion(t.registry, model.id, versionInput("v2", { dataset_version: str("q4") }), ctx);
      const ref = (id: number) => ({ model: { id: model.id }, selector: { kind: "id" as const, id } });
      // A read returns (at least) what the write returned: reads may add fields the write left unset.
      expect(await getVersion(t.registry, ref(v1.id))).toMatchObject(v1);
      expect(v1.customProperties).toEqual({ accuracy: dbl(0.9), epochs: int(10n) });
      expect(await getVersion(t.registry, { model: { displayName: "crud-versions" }, selector: { kind: "version", version: "v2" } })).toMatchObject(
        v2,
      );
      expect((await getVersion(t.registry, { model: { id: model.id }, selector: { kind: "latest" } })).id).toBe(v2.id);

      await updateVersion(t.registry, ref(v2.id), { input: versionInput("", {}, { state: "ARCHIVED" }), mask: ["state"], etag: "" }, ctx);
      expect((await getVersion(t.registry, { model: { id: model.id }, selector: { kind: "latest" } })).id).toBe(v1.id);

      const artifact = await createArtifact(t.registry, ref(v1.id), artifactInput("s3://b/m.onnx", { modelFormatName: "onnx" }), ctx);
      const artifactRef = { kind: "linked" as const, modelId: model.id, versionId: v1.id, artifactId: artifact.id };
      expect(await getArtifact(t.registry, artifactRef)).toEqual(artifact);
      const updated = await updateArtifact(
        t.registry,
        artifactRef,
        { input: artifactInput("s3://b/m2.onnx"), mask: ["uri"], etag: etagOf(artifact) },
        ctx,
      );
      expect(updated).toMatchObject({ uri: "s3://b/m2.onnx", modelFormatName: "onnx" });
      const listed = await listArtifacts(t.registry, ref(v1.id), listRequest());
      expect(listed.items).toEqual([updated]);
    });

    it("reports missing resources as not found", async () => {
      await expect(getModel(t.registry, { id: 987_654_321 })).rejects.toBeInstanceOf(NotFoundError);
      await expect(getModel(t.registry, { displayName: "no-such-model" })).rejects.toBeInstanceOf(NotFoundError);
      const model = await createModel(t.registry, modelInput("crud-missing"), ctx);
      await expect(getVersion(t.registry, { model: { id: model.id }, selector: { kind: "latest" } })).rejects.toBeInstanceOf(NotFoundError);
      await expect(listVersions(t.registry, 987_654_321, listRequest())).rejects.toBeInstanceOf(NotFoundError);
    });

    it("allocates one revision per event, gap-free and in commit order", async () => {
      const before = await revision();
      const seen = t.committed.length;
      const result = await registerModel(
        t.registry,
        {
          requestId: "",
          model: modelInput("rev-model"),
          version: versionInput("v1"),
          artifacts: [artifactInput("s3://b/1"), artifactInput("s3://b/2")],
        },
        ctx,
      );
      expect(result.model.revision).toBe(before + 1);
      expect(result.version.revision).toBe(before + 2);
      expect(result.artifacts.map((a) => a.revision)).toEqual([before + 3, before + 4]);
      await createVersion(t.registry, result.model.id, versionInput("v2"), ctx);
      expect(await revision()).toBe(before + 5);

      const events = t.committed.slice(seen);
      expect(events.map((e) => e.revision)).toEqual([1, 2, 3, 4, 5].map((n) => before + n));
      expect(events.map((e) => [e.type, e.resource.type])).toEqual([
        ["CREATED", "RegisteredModel"],
        ["CREATED", "ModelVersion"],
        ["CREATED", "ModelArtifact"],
        ["CREATED", "ModelArtifact"],
        ["CREATED", "ModelVersion"],
      ]);
      // Every revision ever committed in this database, in order, without gaps.
      expect(t.committed.map((e) => e.revision)).toEqual(t.committed.map((_, i) => i + 1));
    });

    it("serialises concurrent writers into consecutive revisions", async () => {
      const model = await createModel(t.registry, modelInput("rev-concurrent"), ctx);
      const before = await revision();
      const versions = await Promise.all(Array.from({ length: 8 }, (_, i) => createVersion(t.registry, model.id, versionInput(`c${i}`), ctx)));
      expect(versions.map((v) => v.revision).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => before + n));
      expect(await revision()).toBe(before + 8);
    });

    it("rolls back rows, events and the revision when the transaction fails", async () => {
      const before = await revision();
      const seen = t.committed.length;
      const write = unitOf(t.registry).write(async (w) => {
        const model = await insertModel(t.registry, w, modelInput("rolled-back"), ctx);
        await insertVersion(t.registry, w, model, versionInput("v1", { accuracy: dbl(0.99) }), ctx);
        throw new Error("boom");
      });
      await expect(write).rejects.toThrow("boom");
      expect(await revision()).toBe(before);
      expect(t.committed.length).toBe(seen);
      await expect(getModel(t.registry, { displayName: "rolled-back" })).rejects.toBeInstanceOf(NotFoundError);
      const page = await listVersions(t.registry, undefined, listRequest({ filter: "accuracy = 0.99", showTotalSize: true }));
      expect(page.totalSize).toBe(0);
      // The next write gets the very next revision: no event of the failed write was kept.
      const next = await createModel(t.registry, modelInput("rolled-back"), ctx);
      expect(next.revision).toBe(before + 1);
    });

    it("classifies a duplicate display name as MODEL_EXISTS and keeps nothing of the write", async () => {
      await createModel(t.registry, modelInput("dup-model"), ctx);
      const before = await revision();
      const error = await createModel(t.registry, modelInput("dup-model", { owner: "other" }), ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AlreadyExistsError);
      expect((error as AlreadyExistsError).reason).toBe("MODEL_EXISTS");
      expect(await revision()).toBe(before);
      expect((await getModel(t.registry, { displayName: "dup-model" })).owner).toBe("");
    });

    it("classifies a duplicate version string as VERSION_EXISTS", async () => {
      const model = await createModel(t.registry, modelInput("dup-version"), ctx);
      await createVersion(t.registry, model.id, versionInput("v1"), ctx);
      const error = await createVersion(t.registry, model.id, versionInput("v1"), ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AlreadyExistsError);
      expect((error as AlreadyExistsError).reason).toBe("VERSION_EXISTS");
    });

    it("refuses versions under an archived model", async () => {
      const model = await createModel(t.registry, modelInput("archived-model", { state: "ARCHIVED" }), ctx);
      const error = await createVersion(t.registry, model.id, versionInput("v1"), ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FailedPreconditionError);
      expect((error as FailedPreconditionError).reason).toBe("MODEL_ARCHIVED");
    });

    it("pages by a string property of many KiB (the token carries the whole value)", async () => {
      const model = await createModel(t.registry, modelInput("long-sort-values"), ctx);
      for (const v of ["c", "a", "b"]) await createVersion(t.registry, model.id, versionInput(v, { note: str(v.repeat(20_000)) }), ctx);
      const { items } = await listAll((q) => listVersions(t.registry, model.id, q), { orderBy: "custom_properties.note desc", pageSize: 1 });
      expect(items.map((v) => v.version)).toEqual(["c", "b", "a"]);
    });

    it("keeps int64 and typed values exact", async () => {
      const model = await createModel(t.registry, modelInput("typed-values"), ctx);
      const props = {
        big: int(9007199254740993n),
        negative: int(-(2n ** 63n)),
        whole: dbl(10),
        flag: { type: "bool" as const, value: false },
        nested: { type: "struct" as const, value: { layers: [64, 32], name: "mlp" } },
      };
      const v = await createVersion(t.registry, model.id, versionInput("v1", props), ctx);
      const read = await getVersion(t.registry, { model: { id: model.id }, selector: { kind: "id", id: v.id } });
      expect(read.customProperties).toEqual(props);
    });
  });
}
