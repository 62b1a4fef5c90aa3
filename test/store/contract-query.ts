import { beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/registry/core/errors.js";
import type { VersionRef } from "../../src/registry/core/names.js";
import type { ListRequest, ModelVersion, RegisteredModel } from "../../src/registry/core/types.js";
import type { TestDialect } from "../support/dialects.js";
import {
  artifactInput,
  bool,
  type ContractRegistry,
  ctx,
  dbl,
  int,
  listAll,
  listRequest,
  modelInput,
  str,
  useRegistry,
  versionInput,
} from "./contract-fixtures.js";
import { getVersion, listVersions, createVersion, updateVersion } from "../../src/registry/versions/versions.js";
import { listArtifacts, createArtifact } from "../../src/registry/artifacts/artifacts.js";
import { listModels, createModel, updateModel } from "../../src/registry/models/models.js";
import { unitOf } from "../../src/registry/shared/registry.js";

/**
 * The query half of the store contract: one fixture, one table of filters with the exact
 * results every engine must return (ints vs doubles, strings, bools, labels, times, IN, LIKE,
 * ILIKE, NOT, IS NULL on a missing key), ordering by properties (missing keys last in both
 * directions, ties by id), keyset paging, total_size and the seed questions of issue 4.
 */

/**
 * Models (created a month apart): alpha (alice, team=ml, env=prod, tier=1), Beta (bob,
 * team=infra, archived), gamma (no owner, team=ml-ops), delta (alice, no labels).
 * Versions of alpha, a day apart: v1..v6, v6 the newest and archived, v3 archived, v4 without
 * accuracy. gamma has one version g1 with the best accuracy of all.
 */
async function seedFixture(t: ContractRegistry) {
  const r = t.registry;
  t.at("2025-01-01T00:00:00Z");
  const alpha = await createModel(
    r,
    modelInput("alpha", { owner: "alice", description: "first model", labels: { team: "ml", env: "prod" }, customProperties: { tier: int(1) } }),
    ctx,
  );
  t.at("2025-02-01T00:00:00Z");
  const beta = await createModel(r, modelInput("Beta", { owner: "bob", description: "second", labels: { team: "infra" } }), ctx);
  t.at("2025-03-01T00:00:00Z");
  const gamma = await createModel(r, modelInput("gamma", { labels: { team: "ml-ops" } }), ctx);
  t.at("2025-04-01T00:00:00Z");
  await createModel(r, modelInput("delta", { owner: "alice", description: "fourth" }), ctx);

  const versions: Array<[string, Record<string, ReturnType<typeof dbl>>, { author?: string; description?: string }]> = [
    [
      "v1",
      {
        accuracy: dbl(0.91),
        epochs: int(10),
        dataset_version: str("fraud-data-q3-2025"),
        framework: str("torch"),
        deployed: bool(true),
        mixed: int(5),
        tie: int(7),
      },
      { author: "ann", description: "baseline" },
    ],
    [
      "v2",
      {
        accuracy: dbl(0.967),
        epochs: int(20),
        dataset_version: str("fraud-data-q4-2025"),
        framework: str("TensorFlow"),
        deployed: bool(false),
        mixed: str("b"),
        tie: int(7),
      },
      { author: "bob" },
    ],
    [
      "v3",
      { accuracy: int(1), epochs: dbl(10), dataset_version: str("fraud-data-q4-2025"), framework: str("10"), mixed: dbl(2.5), tie: int(7) },
      { author: "ann" },
    ],
    ["v4", { loss: dbl(0.2), "my.key": str("dotted"), dataset_version: str("other"), mixed: str("a"), tie: int(7) }, {}],
    ["v5", { accuracy: dbl(0.951), dataset_version: str("fraud-data-q4-2025"), tie: int(7) }, { author: "cy" }],
    ["v6", { notes: str("rolled back") }, {}],
  ];
  const byName: Record<string, ModelVersion> = {};
  for (const [i, [name, props, extra]] of versions.entries()) {
    t.at(`2025-05-0${i + 1}T00:00:00Z`);
    // An anonymous caller, so versions without an author keep an empty one (see `author IS NULL`).
    byName[name] = await createVersion(r, alpha.id, versionInput(name, props, extra), { ...ctx, actor: "anonymous" });
  }
  t.at("2025-05-09T00:00:00Z");
  await createVersion(r, gamma.id, versionInput("g1", { accuracy: dbl(0.99), dataset_version: str("fraud-data-q4-2025") }), ctx);
  const v1 = byName.v1!;
  await createArtifact(
    r,
    versionRef(alpha.id, v1.id),
    artifactInput("s3://models/alpha/v1/model.onnx", { modelFormatName: "onnx", displayName: "onnx" }),
    ctx,
  );
  await createArtifact(
    r,
    versionRef(alpha.id, v1.id),
    artifactInput("gs://models/alpha/v1/model.pt", { modelFormatName: "pytorch", displayName: "torch" }),
    ctx,
  );

  t.at("2025-06-01T00:00:00Z");
  for (const name of ["v3", "v6"]) {
    await updateVersion(
      r,
      versionRef(alpha.id, byName[name]!.id),
      { input: versionInput("", {}, { state: "ARCHIVED" }), mask: ["state"], etag: "" },
      ctx,
    );
  }
  // Archive Beta last: it has no versions, and archived models take none.
  await updateModel(r, beta.id, { input: modelInput("", { state: "ARCHIVED" }), mask: ["state"], etag: "" }, ctx);
  return { alpha, v1 };
}

function versionRef(modelId: number, id: number): VersionRef {
  return { model: { id: modelId }, selector: { kind: "id", id } };
}

/** filter on the versions of alpha -> their version strings, in the default order (create_time). */
const VERSION_FILTERS: Array<[string, string[]]> = [
  // numbers: an untyped literal matches int and double values alike
  ["accuracy > 0.95", ["v2", "v3", "v5"]],
  ["accuracy = 1", ["v3"]],
  ["accuracy = 1.0", ["v3"]],
  ["accuracy >= 0.967", ["v2", "v3"]],
  ["accuracy.double_value > 0.95", ["v2", "v5"]],
  ["accuracy.int_value = 1", ["v3"]],
  ["custom_properties.accuracy < 0.95", ["v1"]],
  ["epochs = 10", ["v1", "v3"]],
  ["epochs.int_value = 10", ["v1"]],
  ["epochs.double_value = 10", ["v3"]],
  ["epochs > 10.5", ["v2"]],
  ["epochs IN (20, 10.0)", ["v1", "v2", "v3"]],
  ["epochs != 10", ["v2"]],
  // strings never equal numbers; LIKE is case-sensitive, ILIKE is not, on every engine
  ["dataset_version = 'fraud-data-q4-2025'", ["v2", "v3", "v5"]],
  ['dataset_version = "fraud-data-q4-2025"', ["v2", "v3", "v5"]],
  ["dataset_version != 'fraud-data-q4-2025'", ["v1", "v4"]],
  ["dataset_version LIKE 'fraud-data-q%'", ["v1", "v2", "v3", "v5"]],
  ["dataset_version LIKE 'FRAUD%'", []],
  ["dataset_version ILIKE 'FRAUD-DATA-Q4%'", ["v2", "v3", "v5"]],
  ["dataset_version IN ('other', 'fraud-data-q3-2025')", ["v1", "v4"]],
  ["framework = '10'", ["v3"]],
  ["framework = 10", []],
  ["framework < 'u'", ["v1", "v2", "v3"]],
  ["`my.key` = 'dotted'", ["v4"]],
  ["custom_properties.`my.key`.string_value LIKE 'dot%'", ["v4"]],
  // booleans
  ["deployed = TRUE", ["v1"]],
  ["deployed = false", ["v2"]],
  ["deployed.bool_value != true", ["v2"]],
  // missing keys
  ["accuracy IS NULL", ["v4", "v6"]],
  ["accuracy IS NOT NULL", ["v1", "v2", "v3", "v5"]],
  ["accuracy.double_value IS NULL", ["v3", "v4", "v6"]],
  ["custom_properties.loss IS NOT NULL", ["v4"]],
  ["NOT accuracy > 0.95", ["v1", "v4", "v6"]],
  ["NOT (accuracy > 0.95 OR deployed = TRUE)", ["v4", "v6"]],
  // attributes
  ["state = 'ARCHIVED'", ["v3", "v6"]],
  ["state = 'STATE_LIVE' AND accuracy > 0.95", ["v2", "v5"]],
  ["author = 'ann' OR author = 'bob' AND accuracy > 0.95", ["v1", "v2", "v3"]],
  ["(author = 'ann' OR author = 'bob') AND accuracy > 0.95", ["v2", "v3"]],
  ["author IS NULL", ["v4", "v6"]],
  ["description ILIKE 'BASE%'", ["v1"]],
  ["version IN ('v1', 'v5')", ["v1", "v5"]],
  ["name = 'v2'", ["v2"]],
  ["name LIKE 'v%' AND NOT name IN ('v1', 'v2', 'v3')", ["v4", "v5", "v6"]],
  ["model = 'alpha'", ["v1", "v2", "v3", "v4", "v5", "v6"]],
  // times: RFC 3339 (any offset) or epoch milliseconds
  ["create_time >= '2025-05-03T00:00:00Z'", ["v3", "v4", "v5", "v6"]],
  ["create_time < '2025-05-02T02:00:00+02:00'", ["v1"]],
  ["create_time = 1746144000000", ["v2"]],
  ["update_time > '2025-05-31T00:00:00Z'", ["v3", "v6"]],
];

/** filter on every registered model -> display names, in the default order. */
const MODEL_FILTERS: Array<[string, string[]]> = [
  ["labels.team = 'ml'", ["alpha"]],
  ["labels.team LIKE 'ml%'", ["alpha", "gamma"]],
  ["labels.team IN ('ml', 'infra')", ["alpha", "Beta"]],
  ["labels.team != 'ml'", ["Beta", "gamma"]],
  ["labels.env IS NULL", ["Beta", "gamma", "delta"]],
  ["labels.env IS NOT NULL", ["alpha"]],
  ["NOT labels.team = 'ml'", ["Beta", "gamma", "delta"]],
  ["owner = 'alice'", ["alpha", "delta"]],
  ["owner IS NULL", ["gamma"]],
  ["state = 'archived'", ["Beta"]],
  ["state != 'ARCHIVED'", ["alpha", "gamma", "delta"]],
  ["name LIKE 'b%'", []],
  ["name ILIKE 'b%'", ["Beta"]],
  ["display_name IN ('alpha', 'delta', 'nope')", ["alpha", "delta"]],
  ["description IS NOT NULL AND owner = 'alice'", ["alpha", "delta"]],
  ["create_time >= '2025-02-01T00:00:00Z' AND create_time < '2025-04-01T00:00:00Z'", ["Beta", "gamma"]],
  ["tier = 1", ["alpha"]],
  ["tier.int_value IS NULL", ["Beta", "gamma", "delta"]],
];

/** filter on the artifacts of alpha v1 -> display names. */
const ARTIFACT_FILTERS: Array<[string, string[]]> = [
  ["model_format_name = 'onnx'", ["onnx"]],
  ["uri LIKE 's3://%'", ["onnx"]],
  ["model_format_name IN ('onnx', 'pytorch')", ["onnx", "torch"]],
  ["NOT uri LIKE 's3://%'", ["torch"]],
];

/** order_by on the versions of alpha -> version strings. Missing keys last, ties by id. */
const VERSION_ORDERS: Array<[string, string[]]> = [
  ["custom_properties.accuracy desc", ["v3", "v2", "v5", "v1", "v6", "v4"]],
  ["custom_properties.accuracy", ["v1", "v5", "v2", "v3", "v4", "v6"]],
  ["custom_properties.accuracy asc", ["v1", "v5", "v2", "v3", "v4", "v6"]],
  // numbers first, then strings, then versions without the key
  ["custom_properties.mixed", ["v3", "v1", "v4", "v2", "v5", "v6"]],
  ["custom_properties.mixed desc", ["v1", "v3", "v2", "v4", "v6", "v5"]],
  ["custom_properties.dataset_version desc", ["v4", "v5", "v3", "v2", "v1", "v6"]],
  // ties are broken by id, in the direction of the last key
  ["custom_properties.tie", ["v1", "v2", "v3", "v4", "v5", "v6"]],
  ["custom_properties.tie desc", ["v5", "v4", "v3", "v2", "v1", "v6"]],
  ["custom_properties.nothing_has_this desc", ["v6", "v5", "v4", "v3", "v2", "v1"]],
  // several keys
  ["custom_properties.tie, custom_properties.accuracy desc", ["v3", "v2", "v5", "v1", "v4", "v6"]],
  ["custom_properties.tie, create_time desc", ["v5", "v4", "v3", "v2", "v1", "v6"]],
  ["update_time desc, version", ["v3", "v6", "v5", "v4", "v2", "v1"]],
  ["version desc", ["v6", "v5", "v4", "v3", "v2", "v1"]],
  ["create_time desc", ["v6", "v5", "v4", "v3", "v2", "v1"]],
];

export function describeQueryContract(dialect: TestDialect): void {
  describe("queries", () => {
    const t = useRegistry(dialect);
    let alpha: RegisteredModel;
    let v1: ModelVersion;
    beforeAll(async () => {
      ({ alpha, v1 } = await seedFixture(t));
    });
    /** Version strings of alpha's versions, or of every model's with "all". */
    const versionsOf = async (request: Partial<ListRequest>, scope: "alpha" | "all" = "alpha") =>
      (await listAll((q) => listVersions(t.registry, scope === "all" ? undefined : alpha.id, q), request)).items.map((v) => v.version);

    describe("filters versions", () => {
      for (const [filter, expected] of VERSION_FILTERS) {
        it(`selects ${JSON.stringify(expected)} with ${filter}`, async () => {
          expect(await versionsOf({ filter })).toEqual(expected);
        });
      }
    });

    describe("filters registered models", () => {
      for (const [filter, expected] of MODEL_FILTERS) {
        it(`selects ${JSON.stringify(expected)} with ${filter}`, async () => {
          const { items } = await listAll((q) => listModels(t.registry, q), { filter });
          expect(items.map((m) => m.displayName)).toEqual(expected);
        });
      }
    });

    describe("filters artifacts", () => {
      for (const [filter, expected] of ARTIFACT_FILTERS) {
        it(`selects ${JSON.stringify(expected)} with ${filter}`, async () => {
          const { items } = await listAll((q) => listArtifacts(t.registry, versionRef(alpha.id, v1.id), q), { filter });
          expect(items.map((a) => a.displayName)).toEqual(expected);
        });
      }
    });

    it("filters versions across every model", async () => {
      expect(await versionsOf({ filter: "dataset_version = 'fraud-data-q4-2025'" }, "all")).toEqual(["v2", "v3", "v5", "g1"]);
      expect(await versionsOf({ filter: "model = 'gamma'" }, "all")).toEqual(["g1"]);
      expect(await versionsOf({ filter: `registered_model_id = ${alpha.id} AND accuracy IS NULL` }, "all")).toEqual(["v4", "v6"]);
    });

    describe("orders versions", () => {
      for (const [orderBy, expected] of VERSION_ORDERS) {
        it(`orders by ${orderBy}`, async () => {
          expect(await versionsOf({ orderBy })).toEqual(expected);
        });

        it(`pages by ${orderBy} across the missing-key boundary, one to four items a page`, async () => {
          for (const pageSize of [1, 2, 4]) {
            expect(await versionsOf({ orderBy, pageSize }), `page size ${pageSize}`).toEqual(expected);
          }
        });
      }

      it("orders a filtered list by a property", async () => {
        const orderBy = "custom_properties.accuracy desc";
        expect(await versionsOf({ filter: "dataset_version = 'fraud-data-q4-2025'", orderBy, pageSize: 1 })).toEqual(["v3", "v2", "v5"]);
        expect(await versionsOf({ filter: "accuracy IS NULL OR accuracy < 0.95", orderBy, pageSize: 1 })).toEqual(["v1", "v6", "v4"]);
      });
    });

    describe("pages", () => {
      it("returns pages that concatenate to the unpaged list, in every order", async () => {
        for (const orderBy of ["", "create_time desc", "update_time", "display_name desc", "name", "id desc"]) {
          const whole = await listAll((q) => listModels(t.registry, q), { orderBy, pageSize: 1000 });
          expect(whole.pages).toBe(1);
          for (const pageSize of [1, 3]) {
            const paged = await listAll((q) => listModels(t.registry, q), { orderBy, pageSize });
            expect(
              paged.items.map((m) => m.id),
              `${orderBy} by ${pageSize}`,
            ).toEqual(whole.items.map((m) => m.id));
            expect(paged.pages).toBe(Math.ceil(whole.items.length / pageSize));
          }
        }
      });

      it("ends with an empty next_page_token exactly on the last page", async () => {
        const first = await listVersions(t.registry, alpha.id, listRequest({ pageSize: 3 }));
        const second = await listVersions(t.registry, alpha.id, listRequest({ pageSize: 3, pageToken: first.nextPageToken }));
        expect(first.items).toHaveLength(3);
        expect(first.nextPageToken).not.toBe("");
        expect(second.items.map((v) => v.version)).toEqual(["v4", "v5", "v6"]);
        expect(second.nextPageToken).toBe("");
      });

      it("rejects a page token reused with another filter, order_by or parent", async () => {
        const request = { pageSize: 2, filter: "accuracy IS NOT NULL", orderBy: "custom_properties.accuracy desc" };
        const { nextPageToken } = await listVersions(t.registry, alpha.id, listRequest(request));
        const reuse = async (changed: Partial<ListRequest>, scope: "alpha" | "all" = "alpha") => {
          const error = await listVersions(
            t.registry,
            scope === "all" ? undefined : alpha.id,
            listRequest({ ...request, ...changed, pageToken: nextPageToken }),
          ).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(InvalidArgumentError);
          expect((error as InvalidArgumentError).reason).toBe("INVALID_PAGE_TOKEN");
        };
        await reuse({ filter: "accuracy IS NULL" });
        await reuse({ orderBy: "custom_properties.accuracy" });
        await reuse({}, "all");
        // The same query with another page size is fine (AIP-158).
        const next = await listVersions(t.registry, alpha.id, listRequest({ ...request, pageSize: 10, pageToken: nextPageToken }));
        expect(next.items.map((v) => v.version)).toEqual(["v5", "v1"]);
      });

      it("counts total_size only when asked, over the whole filtered list", async () => {
        const filter = "accuracy IS NOT NULL";
        const plain = await listVersions(t.registry, alpha.id, listRequest({ filter, pageSize: 1 }));
        expect(plain.totalSize).toBeUndefined();
        const first = await listVersions(t.registry, alpha.id, listRequest({ filter, pageSize: 1, showTotalSize: true }));
        expect(first.totalSize).toBe(4);
        const second = await listVersions(
          t.registry,
          alpha.id,
          listRequest({ filter, pageSize: 1, showTotalSize: true, pageToken: first.nextPageToken }),
        );
        expect(second.totalSize).toBe(4);
        const models = await listModels(
          t.registry,
          listRequest({ filter: "owner = 'alice'", showTotalSize: true, orderBy: "custom_properties.tier desc" }),
        );
        expect(models.totalSize).toBe(2);
      });

      it("reports the revision each page was read at", async () => {
        const revision = await unitOf(t.registry).read((r) => r.revision());
        const page = await listModels(t.registry, listRequest({ pageSize: 1 }));
        expect(page.revision).toBe(revision);
      });
    });

    describe("answers the seed questions", () => {
      it("finds the latest LIVE version of a model", async () => {
        const latest = await getVersion(t.registry, { model: { displayName: "alpha" }, selector: { kind: "latest" } });
        expect(latest.version).toBe("v5");
        const listed = await listVersions(t.registry, alpha.id, listRequest({ filter: "state = 'LIVE'", orderBy: "create_time desc", pageSize: 1 }));
        expect(listed.items.map((v) => v.version)).toEqual(["v5"]);
      });

      it("lists the versions with accuracy > 0.95, best first", async () => {
        const orderBy = "custom_properties.accuracy desc";
        expect(await versionsOf({ filter: "accuracy > 0.95", orderBy })).toEqual(["v3", "v2", "v5"]);
        expect(await versionsOf({ filter: "accuracy > 0.95", orderBy }, "all")).toEqual(["v3", "g1", "v2", "v5"]);
      });

      it("lists the versions trained on fraud-data-q4-2025", async () => {
        expect(await versionsOf({ filter: 'dataset_version = "fraud-data-q4-2025"' })).toEqual(["v2", "v3", "v5"]);
        expect(
          await versionsOf(
            {
              filter: "model = 'alpha' AND accuracy > 0.95 AND dataset_version = 'fraud-data-q4-2025' AND state = 'LIVE'",
              orderBy: "custom_properties.accuracy desc",
            },
            "all",
          ),
        ).toEqual(["v2", "v5"]);
      });
    });
  });
}
