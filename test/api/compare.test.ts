import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ComparisonRow, MetricDirection } from "../../gen/modelregistry/v1/compare_pb.js";
import type { MetadataValue } from "../../gen/modelregistry/v1/resources_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { PROTOCOLS, startTestServer, type TestServer } from "../support/server.js";

const dbl = (value: number) => ({ kind: { case: "doubleValue" as const, value } });
const int = (value: bigint) => ({ kind: { case: "intValue" as const, value } });
const str = (value: string) => ({ kind: { case: "stringValue" as const, value } });
const bool = (value: boolean) => ({ kind: { case: "boolValue" as const, value } });

/** The value of each cell of a row: the oneof kind's value, or undefined where the version lacks the key. */
const values = (row: ComparisonRow | undefined) => row?.cells.map((c) => (c.value as MetadataValue | undefined)?.kind.value);

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] CompareModelVersions`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server?.close());

    for (const protocol of PROTOCOLS) {
      describe(`over ${protocol}`, () => {
        const client = () => server.client(protocol);
        const unique = (name: string) => `${name}-${protocol}-${randomBytes(3).toString("hex")}`;

        /** Registers versions of one new model; returns the model name and the version names. */
        async function seed(versions: Array<[string, Record<string, ReturnType<typeof dbl | typeof int | typeof str | typeof bool>>]>) {
          const displayName = unique("cmp");
          const names: string[] = [];
          let model = "";
          for (const [version, customProperties] of versions) {
            const res = await client().registerModel({ registeredModel: { displayName }, modelVersion: { version, customProperties } });
            model = res.registeredModel!.name;
            names.push(res.modelVersion!.name);
          }
          return { model, names };
        }

        const fraudVersions = () =>
          seed([
            ["v1", { accuracy: dbl(0.91), val_loss: dbl(0.3), epochs: int(10n), dataset_version: str("q3"), p99_latency_ms: int(12n) }],
            ["v2", { accuracy: dbl(0.967), val_loss: dbl(0.25), epochs: int(20n), dataset_version: str("q4"), p99_latency_ms: int(15n) }],
            ["v3", { accuracy: dbl(0.967), val_loss: dbl(0.28), epochs: int(20n), dataset_version: str("q4"), calibrated: bool(true) }],
          ]);

        it("puts the versions side by side in request order and marks the best value of each metric", async () => {
          const { names } = await fraudVersions();
          const [v1, v2, v3] = names as [string, string, string];
          const res = await client().compareModelVersions({ names: [v3, v1, v2] });
          expect(res.modelVersions.map((v) => v.version)).toEqual(["v3", "v1", "v2"]);
          expect(res.revision).toBeGreaterThan(0n);
          const rows = new Map(res.rows.map((r) => [r.key, r]));
          expect(res.rows.map((r) => r.key)).toEqual(["accuracy", "calibrated", "dataset_version", "epochs", "p99_latency_ms", "val_loss"]);

          const accuracy = rows.get("accuracy")!;
          expect(values(accuracy)).toEqual([0.967, 0.91, 0.967]);
          expect(accuracy.direction).toBe(MetricDirection.HIGHER_IS_BETTER);
          expect(accuracy.bestIndexes).toEqual([0, 2]);
          expect(accuracy.bestNames).toEqual([v3, v2]);
          expect(accuracy.cells.map((c) => c.best)).toEqual([true, false, true]);

          const loss = rows.get("val_loss")!;
          expect(loss.direction).toBe(MetricDirection.LOWER_IS_BETTER);
          expect(loss.bestNames).toEqual([v2]);

          const latency = rows.get("p99_latency_ms")!;
          expect(values(latency)).toEqual([undefined, 12n, 15n]);
          expect(latency.direction).toBe(MetricDirection.LOWER_IS_BETTER);
          expect(latency.bestIndexes).toEqual([1]);

          for (const key of ["dataset_version", "calibrated"]) {
            expect(rows.get(key)!.direction, key).toBe(MetricDirection.UNSPECIFIED);
            expect(rows.get(key)!.bestIndexes, key).toEqual([]);
          }
          expect(values(rows.get("dataset_version"))).toEqual(["q4", "q3", "q4"]);
          expect(values(rows.get("calibrated"))).toEqual([true, undefined, undefined]);
        });

        it("resolves latest and restricts the rows to the requested keys, in their order", async () => {
          const { model, names } = await fraudVersions();
          const res = await client().compareModelVersions({
            names: [`${model}/versions/latest`, names[0]!],
            keys: ["val_loss", "accuracy", "not_recorded"],
          });
          expect(res.modelVersions.map((v) => v.version)).toEqual(["v3", "v1"]);
          expect(res.rows.map((r) => r.key)).toEqual(["val_loss", "accuracy", "not_recorded"]);
          expect(values(res.rows[2])).toEqual([undefined, undefined]);
          expect(res.rows[2]!.direction).toBe(MetricDirection.UNSPECIFIED);
          expect(res.rows[0]!.bestIndexes).toEqual([0]);
        });

        it("follows the direction hints over the guess from the key's name", async () => {
          const { names } = await fraudVersions();
          const res = await client().compareModelVersions({ names, higherIsBetter: ["val_loss"], lowerIsBetter: ["accuracy"], unranked: ["epochs"] });
          const rows = new Map(res.rows.map((r) => [r.key, r]));
          expect(rows.get("val_loss")!.direction).toBe(MetricDirection.HIGHER_IS_BETTER);
          expect(rows.get("val_loss")!.bestIndexes).toEqual([0]);
          expect(rows.get("accuracy")!.bestIndexes).toEqual([0]);
          expect(rows.get("epochs")!.direction).toBe(MetricDirection.UNSPECIFIED);
          expect(rows.get("epochs")!.bestIndexes).toEqual([]);
        });

        it("compares int64 values exactly, and ints with doubles by value", async () => {
          const { names } = await seed([
            ["a", { count: int(9007199254740993n), score: int(3n) }],
            ["b", { count: int(9007199254740992n), score: dbl(2.5) }],
            ["c", { score: str("n/a") }],
          ]);
          const res = await client().compareModelVersions({ names });
          const rows = new Map(res.rows.map((r) => [r.key, r]));
          expect(rows.get("count")!.bestIndexes).toEqual([0]);
          expect(rows.get("score")!.bestIndexes).toEqual([0]);
          expect(values(rows.get("score"))).toEqual([3n, 2.5, "n/a"]);
        });

        it("compares versions of different models", async () => {
          const first = await seed([["v1", { accuracy: dbl(0.8) }]]);
          const second = await seed([["v1", { accuracy: dbl(0.85) }]]);
          const res = await client().compareModelVersions({ names: [first.names[0]!, second.names[0]!] });
          expect(res.rows[0]!.bestNames).toEqual([second.names[0]]);
          expect(res.modelVersions[1]!.registeredModel).toBe(second.model);
        });

        it("rejects requests without versions, with too many, or with malformed names", async () => {
          const { names } = await fraudVersions();
          expect((await failure(client().compareModelVersions({ names: [] }))).code).toBe("InvalidArgument");
          const tooMany = await failure(client().compareModelVersions({ names: Array.from({ length: 51 }, () => names[0]!) }));
          expect(tooMany.code).toBe("InvalidArgument");
          expect(tooMany.fields).toEqual(["names"]);
          const malformed = await failure(client().compareModelVersions({ names: [names[0]!, "registeredModels/x/versions/1"] }));
          expect(malformed.code).toBe("InvalidArgument");
          expect(malformed.reason).toBe("INVALID_NAME");
          expect(malformed.fields).toEqual(["names[1]"]);
        });

        it("rejects a key hinted in two directions, and a key listed twice", async () => {
          const { names } = await fraudVersions();
          const both = await failure(client().compareModelVersions({ names, higherIsBetter: ["x"], lowerIsBetter: ["x"] }));
          expect(both.code).toBe("InvalidArgument");
          expect(both.fields).toEqual(["lower_is_better"]);
          const twice = await failure(client().compareModelVersions({ names, keys: ["accuracy", "accuracy"] }));
          expect(twice.fields).toEqual(["keys"]);
        });

        it("fails as a whole when one version does not exist", async () => {
          const { model, names } = await fraudVersions();
          expect((await failure(client().compareModelVersions({ names: [names[0]!, `${model}/versions/999999999`] }))).code).toBe("NotFound");
          expect((await failure(client().compareModelVersions({ names: [names[0]!, `${model}/versions/@production`] }))).code).toBe("NotFound");
        });
      });
    }
  });
}
