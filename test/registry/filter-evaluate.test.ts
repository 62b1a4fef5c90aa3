import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateFilter, type FilterSubject, resourceFilterSubject } from "../../src/registry/filter/evaluate.js";
import { parseFilter } from "../../src/registry/filter/parser.js";
import { MODEL_LIST, VERSION_LIST } from "../../src/registry/shared/list-specs.js";
import { Registry } from "../../src/registry/shared/registry.js";
import type { MetadataValue, ModelVersion, Properties, RegisteredModel } from "../../src/registry/core/types.js";
import { openStore } from "../../src/store/kysely/open-store.js";
import type { RegistryStore } from "../../src/registry/ports/store.js";
import { DIALECTS } from "../support/dialects.js";
import { createModel } from "../../src/registry/models/models.js";
import { getModel } from "../../src/registry/models/models.js";
import { listModels } from "../../src/registry/models/models.js";

const dbl = (value: number): MetadataValue => ({ type: "double", value });
const int = (value: bigint): MetadataValue => ({ type: "int", value });
const str = (value: string): MetadataValue => ({ type: "string", value });
const bool = (value: boolean): MetadataValue => ({ type: "bool", value });

/** The models of the SQL compiler's test (test/store/filter-compiler.test.ts), as domain objects. */
const MODELS: Array<{
  displayName: string;
  description: string;
  owner: string;
  state: "LIVE" | "ARCHIVED";
  created: string;
  labels: Record<string, string>;
  props: Properties;
}> = [
  {
    displayName: "alpha",
    description: "first model",
    owner: "alice",
    state: "LIVE",
    created: "2024-01-01T00:00:00Z",
    labels: { team: "ml", env: "prod" },
    props: { accuracy: dbl(0.95), epochs: int(10n), framework: str("torch"), deployed: bool(true), big: int(9007199254740993n) },
  },
  {
    displayName: "Beta",
    description: "second",
    owner: "bob",
    state: "ARCHIVED",
    created: "2024-02-01T00:00:00Z",
    labels: { team: "infra" },
    props: { accuracy: dbl(10), epochs: int(20n), framework: str("TensorFlow"), deployed: bool(false) },
  },
  {
    displayName: "gamma",
    description: "",
    owner: "",
    state: "LIVE",
    created: "2024-03-01T00:00:00Z",
    labels: { team: "ml-ops" },
    props: { accuracy: int(10n), framework: str("10"), "my.key": str("dotted") },
  },
  {
    displayName: "delta",
    description: "fourth",
    owner: "alice",
    state: "LIVE",
    created: "2024-04-01T00:00:00Z",
    labels: {},
    props: { config: { type: "struct", value: {} } },
  },
];

/** filter -> the (1-based) models it selects; the first block is the SQL compiler's own table. */
const CASES: [string, number[]][] = [
  ["accuracy = 10", [2, 3]],
  ["accuracy = 10.0", [2, 3]],
  ["accuracy > 0.9", [1, 2, 3]],
  ["accuracy IN (10, 0.95)", [1, 2, 3]],
  ["epochs < 15", [1]],
  ["epochs != 10", [2]],
  ["epochs IN (10, 20)", [1, 2]],
  ["big = 9007199254740993", [1]],
  ["big = 9007199254740992", []],
  ["accuracy.double_value > 0.9", [1, 2]],
  ["accuracy.int_value = 10", [3]],
  ["custom_properties.accuracy.double_value >= 10", [2]],
  ["accuracy.string_value IS NOT NULL", []],
  ["framework = '10'", [3]],
  ["framework = 10", []],
  ["framework LIKE '%orch'", [1]],
  ["framework ILIKE 'tensor%'", [2]],
  ["`my.key` = 'dotted'", [3]],
  ["`my.key`.string_value = 'dotted'", [3]],
  ["deployed = TRUE", [1]],
  ["deployed.bool_value = false", [2]],
  ["deployed != TRUE", [2]],
  ["accuracy IS NULL", [4]],
  ["accuracy IS NOT NULL", [1, 2, 3]],
  ["accuracy.double_value IS NULL", [3, 4]],
  ["config IS NOT NULL", [4]],
  ["NOT epochs = 10", [2, 3, 4]],
  ["labels.team = 'ml'", [1]],
  ["labels.team LIKE 'ml%'", [1, 3]],
  ["labels.team != 'ml'", [2, 3]],
  ["labels.env IS NULL", [2, 3, 4]],
  ["labels.env IS NOT NULL", [1]],
  ["labels.team IN ('ml', 'infra')", [1, 2]],
  ["name = 'alpha'", [1]],
  ["name LIKE 'al%'", [1]],
  ["name ILIKE 'b%'", [2]],
  ["state = 'archived'", [2]],
  ["state != 'STATE_LIVE'", [2]],
  ["state IN ('LIVE')", [1, 3, 4]],
  ["owner IS NULL", [3]],
  ["description IS NOT NULL", [1, 2, 4]],
  ["name = 'x\\' OR 1=1 --'", []],
  ["create_time >= '2024-02-01T00:00:00Z'", [2, 3, 4]],
  ["create_time < '2024-02-01T01:00:00+02:00'", [1]],
  ["create_time = 1704067200000", [1]],
  ["owner = 'alice' OR owner = 'bob' AND state = 'LIVE'", [1, 4]],
  ["(labels.team = 'ml' OR owner = 'bob') AND NOT state = 'ARCHIVED'", [1]],
  ["NOT (accuracy > 5 OR framework = 'torch')", [4]],
  ["NOT (NOT labels.team LIKE 'ml%' AND epochs IS NULL)", [1, 2, 3]],
  // LIKE details: case-sensitive, `_` is one character, regex characters are literal
  ["name LIKE 'AL%'", []],
  ["name ILIKE 'AL%'", [1]],
  ["name LIKE '_lpha'", [1]],
  ["name LIKE 'alpha_'", []],
  ["description LIKE '%.%'", []],
  ["description LIKE 'first model'", [1]],
  ["framework LIKE '1_'", [3]],
  ["framework LIKE '%'", [1, 2, 3]],
  // ordering on strings is by code point
  ["labels.team >= 'ml'", [1, 3]],
  ["framework > 'T'", [1, 2]],
  ["name < 'b'", [1, 2]],
  ["NOT owner = 'alice'", [2, 3]],
  ["epochs >= 10.5", [2]],
  ["accuracy < 10", [1]],
  ["deployed IS NOT NULL AND NOT deployed = TRUE", [2]],
];

describe("evaluateFilter", () => {
  const models: RegisteredModel[] = MODELS.map((m, i) => ({
    id: i + 1,
    displayName: m.displayName,
    description: m.description,
    owner: m.owner,
    state: m.state,
    labels: m.labels,
    customProperties: m.props,
    readme: "",
    createTime: new Date(m.created),
    updateTime: new Date(m.created),
    revision: i + 1,
  }));
  const select = (filter: string) => {
    const expr = parseFilter(filter, MODEL_LIST.filter);
    if (!expr) throw new Error("empty filter");
    return models.filter((m) => evaluateFilter(expr, resourceFilterSubject(m))).map((m) => m.id);
  };

  it.each(CASES)("%s selects %j", (filter, ids) => {
    expect(select(filter)).toEqual(ids);
  });

  it("reads version attributes under their filter names", () => {
    const version: ModelVersion = {
      id: 7,
      modelId: 3,
      modelDisplayName: "fraud-detector",
      version: "v2",
      description: "",
      author: "ds@acme.com",
      state: "LIVE",
      customProperties: { accuracy: dbl(0.97) },
      createTime: new Date(0),
      updateTime: new Date(0),
      revision: 9,
    };
    const matches = (filter: string) => evaluateFilter(parseFilter(filter, VERSION_LIST.filter)!, resourceFilterSubject(version));
    expect(matches("registered_model = 'fraud-detector' AND name = 'v2'")).toBe(true);
    expect(matches("registered_model_id = 3 AND author LIKE '%@acme.com'")).toBe(true);
    expect(matches("accuracy > 0.95 AND state = 'LIVE'")).toBe(true);
    expect(matches("registered_model_id = 4")).toBe(false);
  });

  it("treats a comparison with a NULL attribute as UNKNOWN, as SQL does", () => {
    const subject: FilterSubject = { attribute: () => null, label: () => undefined, property: () => undefined };
    const expr = (f: string) => parseFilter(f, MODEL_LIST.filter)!;
    expect(evaluateFilter(expr("id = 5"), subject)).toBe(false);
    expect(evaluateFilter(expr("NOT id = 5"), subject)).toBe(false);
    expect(evaluateFilter(expr("id = 5 OR NOT labels.x IS NOT NULL"), subject)).toBe(true);
    expect(evaluateFilter(expr("NOT (id = 5 AND labels.x = 'y')"), subject)).toBe(true);
    expect(evaluateFilter(expr("id IS NULL"), subject)).toBe(true);
  });

  it("matches a multi-valued attribute when some value matches", () => {
    const subject: FilterSubject = {
      attribute: (name) => (name === "alias" ? ["champion", "production"] : null),
      label: () => undefined,
      property: () => undefined,
    };
    const schema = { attributes: { alias: { name: "alias", type: "string" as const } }, labels: false };
    const matches = (f: string) => evaluateFilter(parseFilter(f, schema)!, subject);
    expect(matches("alias = 'production'")).toBe(true);
    expect(matches("alias IN ('staging', 'champion')")).toBe(true);
    expect(matches("alias = 'staging'")).toBe(false);
    expect(matches("alias IS NULL")).toBe(false);
  });
});

/**
 * The same filters through the real store (compileFilter on SQLite and Postgres) and in memory
 * over what the store returns: both must select the same models.
 */
for (const dialect of DIALECTS.filter((d) => d.name !== "sqlite-file")) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] evaluateFilter agrees with the SQL compiler`, () => {
    let store: RegistryStore;
    let cleanup: () => Promise<void>;
    let registry: Registry;
    let ids: number[];

    beforeAll(async () => {
      const db = await dialect.create();
      cleanup = db.cleanup;
      store = await openStore({ database: db.database, schema: db.schema, poolSize: 2 });
      let created = MODELS[0]!.created;
      registry = new Registry(store, { now: () => new Date(created) });
      ids = [];
      for (const m of MODELS) {
        created = m.created;
        const model = await createModel(
          registry,
          {
            displayName: m.displayName,
            description: m.description,
            owner: m.owner,
            state: m.state,
            labels: m.labels,
            customProperties: m.props,
            readme: "",
          },
          { actor: "test" },
        );
        ids.push(model.id);
      }
    }, 30_000);
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it.each(CASES)("%s", async (filter) => {
      const page = await listModels(registry, { pageSize: 100, pageToken: "", filter, orderBy: "", showTotalSize: false });
      const fromSql = page.items.map((m) => ids.indexOf(m.id) + 1);
      const expr = parseFilter(filter, MODEL_LIST.filter)!;
      const all = await Promise.all(ids.map((id) => getModel(registry, { id })));
      const inMemory = all.filter((m) => evaluateFilter(expr, resourceFilterSubject(m))).map((m) => ids.indexOf(m.id) + 1);
      expect(inMemory).toEqual(fromSql);
    });
  });
}

describe("watch filters on lifecycle resources", () => {
  it("evaluates experiment runs and inference services by their snapshot fields", async () => {
    const { parseFilter } = await import("../../src/registry/filter/parser.js");
    const { evaluateFilter, resourceFilterSubject } = await import("../../src/registry/filter/evaluate.js");
    const { RUN_LIST, SERVICE_LIST } = await import("../../src/registry/shared/list-specs.js");
    const run = {
      id: 5,
      experimentId: 2,
      displayName: "r1",
      description: "",
      author: "ana",
      status: "FINISHED",
      startTime: new Date(1000),
      endTime: null,
      labels: {},
      customProperties: {},
    };
    const matches = (text: string, schema: typeof RUN_LIST.filter, value: object) =>
      evaluateFilter(parseFilter(text, schema)!, resourceFilterSubject(value));
    expect(matches("experiment_id = 2 AND status = 'FINISHED' AND end_time IS NULL", RUN_LIST.filter, run)).toBe(true);
    expect(matches("author = 'bob'", RUN_LIST.filter, run)).toBe(false);
    const isvc = {
      id: 9,
      environmentId: 3,
      modelId: 1,
      versionId: null,
      alias: "production",
      runtime: "kserve",
      desiredState: "DEPLOYED",
      displayName: "churn",
      description: "",
      labels: { team: "ml" },
      customProperties: {},
    };
    expect(matches("serving_environment_id = 3 AND desired_state = 'DEPLOYED' AND alias = 'production'", SERVICE_LIST.filter, isvc)).toBe(true);
    expect(matches("registered_model_id = 2 OR labels.team != 'ml'", SERVICE_LIST.filter, isvc)).toBe(false);
  });
});
