import type { Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { State } from "../../gen/modelregistry/v1/resources_pb.js";
import { ERROR_TABLE, type ErrorKindOrInternal } from "../../src/api/shared/error-table.js";
import { type SecureServer, startSecureServer, tempDir, type TestTokens, writeTokensFile } from "../security/support.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { type ApiResponse, KubeflowApi, STATUS_TEXT } from "./support/kubeflow-api.js";
import { describeKubeflow } from "./support/kubeflow-suite.js";

/**
 * The same failure, provoked over gRPC and over the Kubeflow REST gateway, answers from the same
 * row of the error table: the row's gRPC code, its HTTP status with the status text as the body's
 * `code`, and the same reason. Rows no request can provoke on demand (the database down, a schema
 * from a newer release, …) are checked on both mappers in test/api/error-table.test.ts; INTERNAL
 * end to end in test/api/internal-errors.test.ts.
 */

interface Case {
  kind: ErrorKindOrInternal;
  what: string;
  /** Makes what both calls fail on; returns the REST id and gRPC name of a registered model. */
  setup?: (api: KubeflowApi, grpc: Client<typeof ModelRegistryService>, name: string) => Promise<{ id: string; name: string }>;
  grpc: (grpc: Client<typeof ModelRegistryService>, name: string, model: { id: string; name: string }) => Promise<unknown>;
  rest: (api: KubeflowApi, name: string, model: { id: string; name: string }) => Promise<ApiResponse>;
}

const newModel = async (api: KubeflowApi, _grpc: unknown, name: string) => {
  const model = await api.ok("createRegisteredModel", { body: { name } }, 201);
  return { id: model.id as string, name: `registeredModels/${model.id}` };
};

const CASES: Case[] = [
  {
    kind: "invalid_argument",
    what: "a model name with a control character",
    grpc: (grpc, name) => grpc.createRegisteredModel({ registeredModel: { displayName: `${name}\u0007` } }),
    rest: (api, name) => api.call("createRegisteredModel", { body: { name: `${name}\u0007` } }),
  },
  {
    kind: "not_found",
    what: "a model that does not exist",
    grpc: (grpc) => grpc.getRegisteredModel({ name: "registeredModels/999999999" }),
    rest: (api) => api.call("getRegisteredModel", { path: { registeredmodelId: "999999999" } }),
  },
  {
    kind: "already_exists",
    what: "a model name in use",
    setup: newModel,
    grpc: (grpc, name) => grpc.createRegisteredModel({ registeredModel: { displayName: name } }),
    rest: (api, name) => api.call("createRegisteredModel", { body: { name } }),
  },
  {
    kind: "failed_precondition",
    what: "a version registered into an archived model",
    setup: async (api, grpc, name) => {
      const model = await newModel(api, grpc, name);
      await grpc.updateRegisteredModel({ registeredModel: { name: model.name, state: State.ARCHIVED }, updateMask: { paths: ["state"] } });
      return model;
    },
    grpc: (grpc, _name, model) => grpc.createModelVersion({ parent: model.name, modelVersion: { version: "v-grpc" } }),
    rest: (api, _name, model) => api.call("createModelVersion", { body: { name: "v-rest", registeredModelId: model.id } }),
  },
];

/** Both answers to one failure come from the row. */
async function expectRow(kind: ErrorKindOrInternal, overGrpc: Awaited<ReturnType<typeof failure>>, overRest: ApiResponse) {
  const row = ERROR_TABLE[kind];
  expect(overGrpc.error.code).toBe(row.code);
  expect(overRest.status, JSON.stringify(overRest.body)).toBe(row.status);
  expect(overRest.body).toEqual({ code: STATUS_TEXT[row.status], message: expect.any(String) });
  expect(overRest.reason).toBe(overGrpc.reason);
}

describeKubeflow("one error table: the gRPC and REST answers to the same failure", (suite) => {
  const { api, unique } = suite;

  for (const c of CASES) {
    it(`answers ${c.what} from the ${c.kind} row on both edges`, async () => {
      const grpc = suite.server.client("grpc");
      const name = unique(c.kind);
      const model = (await c.setup?.(api, grpc, name)) ?? { id: "", name: "" };
      await expectRow(c.kind, await failure(c.grpc(grpc, name, model)), await c.rest(api, name, model));
    });
  }
});

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] one error table: the gRPC and REST answers to the same refusal`, () => {
    let server: SecureServer;
    let tokens: TestTokens;
    const tmp = tempDir();
    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, { vic: "viewer" });
      server = await startSecureServer(dialect, { auth: { tokensFile: tokens.path } });
    });
    afterAll(async () => {
      await server?.close();
      tmp.cleanup();
    });
    // Sent outside the OpenAPI check: Kubeflow's document declares no 403 on this operation.
    const rest = (authorization?: string) =>
      new KubeflowApi(server.url, authorization ? { authorization } : {}).send("POST", "/api/model_registry/v1alpha3/registered_models", {
        body: { name: "refused" },
      });

    it("answers a call without credentials from the unauthenticated row on both edges", async () => {
      await expectRow(
        "unauthenticated",
        await failure(server.client("grpc").createRegisteredModel({ registeredModel: { displayName: "refused" } })),
        await rest(),
      );
    });

    it("answers a token that does not verify from the unauthenticated row on both edges", async () => {
      const call = server.client("grpc", { token: "not-a-token" }).createRegisteredModel({ registeredModel: { displayName: "refused" } });
      await expectRow("unauthenticated", await failure(call), await rest("Bearer not-a-token"));
    });

    it("answers a viewer's write from the permission_denied row on both edges", async () => {
      const call = server.client("grpc", { token: tokens.secret.vic }).createRegisteredModel({ registeredModel: { displayName: "refused" } });
      await expectRow("permission_denied", await failure(call), await rest(`Bearer ${tokens.secret.vic}`));
    });
  });
}
