/**
 * Fuzzing for a fixed time budget with a fixed seed (so a failure reproduces: the message names
 * the input): the filter parser and evaluator, the request decoders with our own per-request
 * code (input guard, permission rules), and the running server over SQLite and Postgres.
 * FUZZ_BUDGET_MS and FUZZ_SEED override the defaults (1500 ms per target, seed 20261125).
 */
import { type DescMessage, fromBinary, fromJson, toBinary, toJson } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/health/v1/health_pb.js";
import {
  CreateRegisteredModelRequestSchema,
  GetModelVersionRequestSchema,
  ListModelVersionsRequestSchema,
  ListRegisteredModelsRequestSchema,
  ModelRegistryService,
  RegisterModelRequestSchema,
  UpdateModelVersionRequestSchema,
} from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { ListEventsRequestSchema, WatchRequestSchema } from "../../gen/modelregistry/v1/events_pb.js";
import { SetAliasRequestSchema } from "../../gen/modelregistry/v1/lifecycle_pb.js";
import { createInputGuard } from "../../src/api/shared/limits-input.js";
import { requirementOf } from "../../src/auth/call-requirements.js";
import { InvalidArgumentError, ResourceExhaustedError } from "../../src/registry/core/errors.js";
import { failure } from "../support/errors.js";
import type { FilterSchema } from "../../src/registry/filter/ast.js";
import { evaluateFilter, resourceFilterSubject } from "../../src/registry/filter/evaluate.js";
import { parseFilter } from "../../src/registry/filter/parser.js";
import { ALIAS_LIST, EXPERIMENT_LIST, SERVICE_LIST, ARTIFACT_LIST, MODEL_LIST, VERSION_LIST } from "../../src/registry/shared/list-specs.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { BUDGET_MS, forBudget, forBudgetAsync, HOSTILE, mutateJson, mutateText, random, type Rng, SEED } from "./fuzz-support.js";
import { type SecureServer, startSecureServer } from "./support.js";

const FIELDS = [
  "name",
  "state",
  "owner",
  "author",
  "description",
  "create_time",
  "update_time",
  "id",
  "alias",
  "version",
  "labels.team",
  "labels.`a b`",
  "custom_properties.accuracy",
  "custom_properties.accuracy.double_value",
  "custom_properties.epochs.int_value",
  "custom_properties.flag.bool_value",
  "custom_properties.`weird key`",
  "accuracy",
  "`quoted.key`",
  "uri",
  "registered_model_id",
];
const OPS = ["=", "!=", "<>", "<", "<=", ">", ">=", "LIKE", "ILIKE", "IN", "IS NULL", "IS NOT NULL", "==", "=~"];
const VALUES = [
  "'x'",
  '"y"',
  "1",
  "-2",
  "0.5",
  "1e3",
  "TRUE",
  "FALSE",
  "NULL",
  "'2026-01-01T00:00:00Z'",
  "'%a_'",
  "'\\''",
  "'\\u00e9'",
  "'LIVE'",
  "9223372036854775807",
  "99999999999999999999",
];

/** A filter made of grammar pieces, often nearly valid. */
function grammarFilter(rng: Rng, depth = 0): string {
  const r = rng.int(10);
  if (depth < 4 && r === 0) return `(${grammarFilter(rng, depth + 1)})`;
  if (depth < 4 && r === 1) return `NOT ${grammarFilter(rng, depth + 1)}`;
  if (depth < 4 && r <= 3) return `${grammarFilter(rng, depth + 1)} ${rng.pick(["AND", "OR", "and", "or", "&&"])} ${grammarFilter(rng, depth + 1)}`;
  const op = rng.pick(OPS);
  if (op === "IN") return `${rng.pick(FIELDS)} IN (${Array.from({ length: rng.int(4) }, () => rng.pick(VALUES)).join(", ")})`;
  if (op.startsWith("IS")) return `${rng.pick(FIELDS)} ${op}`;
  return `${rng.pick(FIELDS)} ${op} ${rng.next() < 0.2 ? `'${rng.pick(HOSTILE).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'` : rng.pick(VALUES)}`;
}

/**
 * A long legal-looking filter: up to 4096 characters of ANDs and ORs over built-in attributes,
 * properties and IN lists of up to 110 values, wrapped in up to 34 levels of parentheses and NOTs,
 * so that it lands near (and sometimes over) each filter limit.
 */
function largeFilter(rng: Rng): string {
  const terms: string[] = [];
  const values = (n: number, quoted: boolean) => Array.from({ length: n }, (_, i) => (quoted ? `'v${i}'` : String(i))).join(",");
  const term = (): string => {
    switch (rng.int(6)) {
      case 0:
        return `id IN (${values(rng.int(111), false)})`;
      case 1:
        return `p${rng.int(30)} IN (${values(rng.int(111), rng.next() < 0.5)})`;
      case 2:
        return `p${rng.int(30)} ${rng.pick([">", "=", "!=", "<="])} ${rng.pick(["0", "1.5", "'x'", "TRUE"])}`;
      case 3:
        return `alias = 'a${rng.int(9)}'`;
      default:
        return `${rng.pick(["id", "registered_model_id"])} ${rng.pick(["=", ">", "!="])} ${rng.int(1000)}`;
    }
  };
  let text = term();
  while (text.length < 3000 && rng.next() < 0.97) {
    const next = term();
    text = `${text} ${rng.pick(["AND", "OR"])} ${rng.next() < 0.2 ? `NOT ${next}` : next}`;
  }
  for (let depth = rng.int(35); depth > 0; depth--) text = rng.next() < 0.5 ? `(${text})` : `NOT (${text})`;
  return text.length > 4096 ? text.slice(0, text.lastIndexOf(" AND ", 4000)) : text;
}

const SCHEMAS: Array<[string, FilterSchema]> = [
  ["models", MODEL_LIST.filter],
  ["versions", VERSION_LIST.filter],
  ["artifacts", ARTIFACT_LIST.filter],
  ["aliases", ALIAS_LIST.filter],
  ["experiments", EXPERIMENT_LIST.filter],
  ["inference services", SERVICE_LIST.filter],
];

const SUBJECT = resourceFilterSubject({
  id: 7,
  displayName: "fraud",
  description: "d",
  owner: "o",
  state: "LIVE",
  labels: { team: "risk" },
  customProperties: { accuracy: { kind: "double", value: 0.9 }, epochs: { kind: "int", value: 10n } },
  createTime: new Date(0),
  updateTime: new Date(0),
  aliases: ["production"],
});

describe("fuzz: the filter language", () => {
  it(`parses and evaluates arbitrary filters for ${BUDGET_MS} ms, failing only with INVALID_ARGUMENT`, () => {
    const rng = random(SEED);
    let parsed = 0;
    const rounds = forBudget((round) => {
      const base = grammarFilter(rng);
      const text = round % 3 === 0 ? base : mutateText(rng, base);
      const [label, schema] = SCHEMAS[round % SCHEMAS.length]!;
      try {
        const expr = parseFilter(text, schema);
        parsed++;
        if (expr) evaluateFilter(expr, SUBJECT);
      } catch (error) {
        if (error instanceof InvalidArgumentError) return;
        throw new Error(`seed ${SEED} round ${round} (${label}): filter ${JSON.stringify(text)} threw ${String(error)}`);
      }
    });
    expect(rounds).toBeGreaterThan(100);
    expect(parsed).toBeGreaterThan(0);
  });
});

/** Valid requests of several RPCs, as fuzzing starting points. */
const SEEDS: Array<{ method: string; schema: DescMessage; json: Record<string, unknown> }> = [
  {
    method: "RegisterModel",
    schema: RegisterModelRequestSchema,
    json: {
      registeredModel: { displayName: "fraud", labels: { team: "risk" }, customProperties: { a: { doubleValue: 0.5 } } },
      modelVersion: { version: "v1", customProperties: { s: { structValue: { lr: 0.1, layers: [1, 2] } } } },
      modelArtifacts: [{ uri: "s3://b/m.onnx", modelFormatName: "onnx" }],
      alias: "staging",
      reason: "r",
    },
  },
  { method: "CreateRegisteredModel", schema: CreateRegisteredModelRequestSchema, json: { registeredModel: { displayName: "m", description: "d" } } },
  { method: "ListRegisteredModels", schema: ListRegisteredModelsRequestSchema, json: { pageSize: 10, filter: "name = 'x'", orderBy: "name desc" } },
  { method: "ListModelVersions", schema: ListModelVersionsRequestSchema, json: { parent: "registeredModels/-", filter: "accuracy > 0.5" } },
  { method: "GetModelVersion", schema: GetModelVersionRequestSchema, json: { name: "registeredModels/1/versions/@production" } },
  {
    method: "UpdateModelVersion",
    schema: UpdateModelVersionRequestSchema,
    json: { modelVersion: { name: "registeredModels/1/versions/1", description: "x" }, updateMask: "description" },
  },
  {
    method: "SetAlias",
    schema: SetAliasRequestSchema,
    json: { name: "registeredModels/1/aliases/production", modelVersion: "registeredModels/1/versions/1" },
  },
  { method: "ListEvents", schema: ListEventsRequestSchema, json: { registeredModel: "registeredModels/1", actor: "ann" } },
  { method: "Watch", schema: WatchRequestSchema, json: { resourceTypes: ["RegisteredModel"], filter: "name = 'a'", startRevision: "3" } },
];

function mutateBytes(rng: Rng, bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = [...bytes];
  for (let n = 1 + rng.int(4); n > 0; n--) {
    const at = rng.int(out.length + 1);
    const what = rng.int(4);
    if (what === 0) out.splice(at, 0, rng.int(256));
    else if (what === 1) out.splice(at, 1);
    else if (what === 2) out[at] = rng.int(256);
    else out.length = Math.min(out.length, at); // truncate
  }
  return Uint8Array.from(out);
}

describe("fuzz: request decoders and per-request checks", () => {
  const guard = createInputGuard()((req) => Promise.resolve(req as never));
  const policy = { protectedAliases: new Set(["production"]) };

  it(`decodes mutated binary and JSON requests for ${BUDGET_MS} ms; guard and permission rules fail only with domain errors`, async () => {
    const rng = random(SEED + 1);
    const binaries = SEEDS.map((s) => toBinary(s.schema, fromJson(s.schema, s.json as never)));
    let decoded = 0;
    const end = performance.now() + BUDGET_MS;
    for (let round = 0; performance.now() < end; round++) {
      const i = round % SEEDS.length;
      const seed = SEEDS[i]!;
      let message: unknown;
      let input = "";
      try {
        if (round % 2 === 0) {
          const bytes = mutateBytes(rng, binaries[i]!);
          input = Buffer.from(bytes).toString("hex");
          message = fromBinary(seed.schema, bytes);
        } else {
          const json = mutateJson(rng, seed.json);
          input = JSON.stringify(json);
          message = fromJson(seed.schema, json as never);
        }
        decoded++;
        // What decodes must round-trip through the encoders the server uses to answer.
        toJson(seed.schema, message as never);
      } catch (error) {
        if (error instanceof Error) continue; // a clean decode error: what connect turns into an error response
        throw new Error(`seed ${SEED} round ${round}: ${seed.method} ${input} threw a non-Error ${String(error)}`);
      }
      try {
        await guard({ stream: false, message } as never);
        const requirement = requirementOf(seed.method, message as Record<string, unknown>, policy);
        if (requirement.scope.kind === "models") requirement.scope.models();
      } catch (error) {
        if (error instanceof InvalidArgumentError || error instanceof ResourceExhaustedError) continue;
        throw new Error(`seed ${SEED} round ${round}: ${seed.method} ${input} threw ${String(error)}`);
      }
    }
    expect(decoded).toBeGreaterThan(10);
  });
});

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] fuzz: the running server`, () => {
    let server: SecureServer;
    beforeAll(async () => {
      server = await startSecureServer(dialect, {});
      const client = server.client("grpc");
      const res = await client.registerModel({ registeredModel: { displayName: "fraud" }, modelVersion: { version: "v1" }, alias: "production" });
      await client.registerModel({ registeredModel: { displayName: "fraud" }, modelVersion: { version: "v2" } });
      expect(res.registeredModel?.name).toBe("registeredModels/1");
    });
    afterAll(() => server?.close());

    it(`runs large filters near every limit for ${BUDGET_MS} ms: each is served or refused as too complex, never an internal error`, async () => {
      const rng = random(SEED + 3);
      const client = server.client("grpc");
      let served = 0;
      let longest = 0;
      const rounds = await forBudgetAsync(async () => {
        const filter = largeFilter(rng);
        try {
          await client.listModelVersions({ parent: "registeredModels/-", filter, pageSize: 5 });
          served++;
          longest = Math.max(longest, filter.length);
        } catch (error) {
          const f = await failure(Promise.reject(error));
          if (f.code !== "InvalidArgument") throw new Error(`seed ${SEED}: ${f.code} ${f.error.rawMessage} for ${filter}`);
        }
      });
      expect(rounds).toBeGreaterThan(10);
      expect(served).toBeGreaterThan(0);
      expect(longest).toBeGreaterThan(1000);
    });

    it(`answers mutated requests for ${BUDGET_MS} ms without an internal error, and keeps serving`, async () => {
      const rng = random(SEED + 2);
      const seen = new Map<string, number>();
      const rounds = await forBudgetAsync(async (round) => {
        const seed = SEEDS[round % SEEDS.length]!;
        if (seed.method === "Watch") return; // a stream: covered by the decoder fuzz above
        const binary = round % 2 === 0;
        const body: string | Uint8Array<ArrayBuffer> = binary
          ? mutateBytes(rng, toBinary(seed.schema, fromJson(seed.schema, seed.json as never)))
          : JSON.stringify(mutateJson(rng, seed.json));
        const res = await fetch(`${server.url}/${ModelRegistryService.typeName}/${seed.method}`, {
          method: "POST",
          headers: { "content-type": binary ? "application/proto" : "application/json" },
          body,
        });
        const text = await res.text();
        if (res.status === 200) {
          seen.set("ok", (seen.get("ok") ?? 0) + 1);
          return;
        }
        const error = JSON.parse(text) as { code: string; message: string };
        seen.set(error.code, (seen.get(error.code) ?? 0) + 1);
        // "internal error" is what the server says for a bug of its own; connect's own
        // "parse binary" answers for undecodable bytes are the protocol layer's, not ours.
        if (error.code === "internal" && !/^parse binary|^protocol error/.test(error.message)) {
          throw new Error(
            `seed ${SEED} round ${round}: ${seed.method} ${typeof body === "string" ? body : Buffer.from(body).toString("hex")} -> ${text}`,
          );
        }
      });
      if (process.env.FUZZ_VERBOSE) console.log(`server fuzz: ${rounds} rounds`, Object.fromEntries(seen));
      expect(rounds).toBeGreaterThan(20);
      expect(seen.size).toBeGreaterThan(1);
      expect((await server.clientOf(Health, "grpc").check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      // The seeded model is still there and readable (mutations may have legitimately changed it).
      const fraud = await server.client("grpc").getRegisteredModel({ name: "registeredModels/1" });
      expect(fraud.registeredModel?.name).toBe("registeredModels/1");
    });
  });
}
