import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateFilter, type FilterSubject, resourceFilterSubject } from "../../src/registry/filter/evaluate.js";
import { parseFilter } from "../../src/registry/filter/parser.js";
import { MODEL_LIST, VERSION_LIST } from "../../src/registry/shared/list-specs.js";
import { Registry } from "../../src/registry/shared/registry.js";
import type { MetadataValue, ModelVersion, Properties, RegisteredModel } from "../../src/registry/core/types.js";
import { openStore } from "../../src/store/kysely/open-store.js";
import type { RegistryStore } from "../../src/registry/ports/store.js";
import { DIALECTS } from "../support/dialects.js";
import { FILTER_CASES, FILTER_MODELS } from "../support/filter-cases.js";
import { createModel, getModel, listModels } from "../../src/registry/models/models.js";

describe("evaluateFilter", () => {
  const models: RegisteredModel[] = FILTER_MODELS.map((m, i) => ({
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

  it.each(FILTER_CASES)("%s selects %j", (filter, ids) => {
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
      customProperties: { accuracy: { type: "double", value: 0.97 } },
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
      let created = FILTER_MODELS[0]!.created;
      registry = new Registry(store, { now: () => new Date(created) });
      ids = [];
      for (const m of FILTER_MODELS) {
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

    it.each(FILTER_CASES)("%s", async (filter) => {
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
