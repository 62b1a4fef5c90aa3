import { randomBytes } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, KubeflowApi } from "../rest/support/kubeflow-api.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { type SecureServer, startSecureServer, tempDir, type TestTokens, writeTokensFile } from "./support.js";

const PREFIX = "/api/model_registry/v1alpha3";
const GRANTS = { adm: "admin", vic: "viewer", "fraud-vic": "viewer:fraud-*", "fraud-ed": "editor:fraud-*" };
type Subject = keyof typeof GRANTS;
/** An id no resource has. */
const MISSING = "987654321";

/** A model with a version "v1" and a model artifact, each with an external id. */
interface Seeded {
  name: string;
  modelId: string;
  versionId: string;
  artifactId: string;
  ext: string;
}

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] REST authorisation: existence stays hidden from restricted callers`, () => {
    let server: SecureServer;
    let tokens: TestTokens;
    const tmp = tempDir();
    let fraud: Seeded;
    let churn: Seeded;
    let runMetricId: string;

    const send = (who: Subject, method: string, path: string, body?: unknown): Promise<ApiResponse> =>
      new KubeflowApi(server.url, { authorization: `Bearer ${tokens.secret[who]}` }).send(
        method,
        `${PREFIX}${path}`,
        body === undefined ? {} : { body },
      );
    const ok = async (answer: Promise<ApiResponse>) => {
      const a = await answer;
      expect(a.status, JSON.stringify(a.body)).toBeLessThan(300);
      return a.body;
    };

    async function seed(prefix: string, onlyVersion: string): Promise<Seeded> {
      const name = `${prefix}-${randomBytes(3).toString("hex")}`;
      const ext = `ext-${name}`;
      const model = await ok(send("adm", "POST", "/registered_models", { name, externalId: ext }));
      const version = await ok(send("adm", "POST", "/model_versions", { name: "v1", registeredModelId: model.id, externalId: ext }));
      await ok(send("adm", "POST", "/model_versions", { name: onlyVersion, registeredModelId: model.id }));
      const artifact = await ok(
        send("adm", "POST", `/model_versions/${version.id}/artifacts`, {
          artifactType: "model-artifact",
          name: "weights",
          uri: "s3://b/w",
          externalId: ext,
        }),
      );
      return { name, modelId: model.id, versionId: version.id, artifactId: artifact.id, ext };
    }

    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, GRANTS);
      server = await startSecureServer(dialect, { auth: { tokensFile: tokens.path } });
      fraud = await seed("fraud", "only-fraud");
      churn = await seed("churn", "only-churn");
      const experiment = await ok(send("adm", "POST", "/experiments", { name: `exp-${randomBytes(3).toString("hex")}` }));
      const run = await ok(send("adm", "POST", "/experiment_runs", { name: "run", experimentId: experiment.id }));
      runMetricId = (await ok(send("adm", "POST", `/experiment_runs/${run.id}/artifacts`, { artifactType: "metric", name: "acc", value: 0.5 }))).id;
    });
    afterAll(async () => {
      await server?.close();
      tmp.cleanup();
    });

    /** The two answers, with the part that differs by request (the id or name asked for) replaced. */
    async function expectSameAnswer(who: Subject, method: string, existing: string, missing: string, replaced: [string, string], body?: unknown) {
      const a = await send(who, method, existing, body);
      const b = await send(who, method, missing, body);
      const hide = (answer: ApiResponse, text: string) => ({
        status: answer.status,
        body: JSON.parse(JSON.stringify(answer.body).replaceAll(text, "…")),
      });
      expect(hide(a, replaced[0]), `${method} ${existing} vs ${missing}`).toEqual(hide(b, replaced[1]));
      return a;
    }

    it("answers another model's version and artifact ids exactly as ids that do not exist: 403", async () => {
      const patchVersion = { description: "x" };
      const artifactBody = { artifactType: "model-artifact", uri: "s3://b/x" };
      const cases: Array<[Subject, string, string, unknown?]> = [
        ["fraud-vic", "GET", "/model_versions/{id}"],
        ["fraud-ed", "PATCH", "/model_versions/{id}", patchVersion],
        ["fraud-vic", "GET", "/model_versions/{id}/artifacts"],
        ["fraud-ed", "POST", "/model_versions/{id}/artifacts", { ...artifactBody, name: "new" }],
        ["fraud-vic", "GET", "/model_artifacts/{id}"],
        ["fraud-ed", "PATCH", "/model_artifacts/{id}", artifactBody],
        ["fraud-vic", "GET", "/artifacts/{id}"],
        ["fraud-ed", "PATCH", "/artifacts/{id}", artifactBody],
      ];
      for (const [who, method, template, body] of cases) {
        const id = template.startsWith("/model_versions") ? churn.versionId : churn.artifactId;
        const answer = await expectSameAnswer(who, method, template.replace("{id}", id), template.replace("{id}", MISSING), [id, MISSING], body);
        expect(answer.status).toBe(403);
        expect(answer.reason).toBe("PERMISSION_DENIED");
        expect(answer.body.message).not.toContain(`registeredModels/${churn.modelId}`);
      }
      // An artifact outside models (a run's metric) too.
      const metric = await expectSameAnswer("fraud-vic", "GET", `/artifacts/${runMetricId}`, `/artifacts/${MISSING}`, [runMetricId, MISSING]);
      expect(metric.status).toBe(403);
    });

    it("still serves a restricted caller its own models' versions and artifacts by id", async () => {
      expect((await ok(send("fraud-vic", "GET", `/model_versions/${fraud.versionId}`))).name).toBe("v1");
      expect((await ok(send("fraud-vic", "GET", `/model_artifacts/${fraud.artifactId}`))).id).toBe(fraud.artifactId);
      expect((await ok(send("fraud-vic", "GET", `/artifacts/${fraud.artifactId}`))).id).toBe(fraud.artifactId);
      expect((await ok(send("fraud-vic", "GET", `/model_versions/${fraud.versionId}/artifacts`))).size).toBe(1);
      expect((await ok(send("fraud-ed", "PATCH", `/model_versions/${fraud.versionId}`, { description: "mine" }))).description).toBe("mine");
    });

    it("finds a version by name among the caller's models only: no ambiguity from other models, 404 for names used only elsewhere", async () => {
      const mine = await ok(send("fraud-vic", "GET", "/model_version?name=only-fraud"));
      expect(mine.registeredModelId).toBe(fraud.modelId);
      // "v1" exists in both models: only the caller's counts.
      expect((await ok(send("fraud-vic", "GET", "/model_version?name=v1"))).registeredModelId).toBe(fraud.modelId);
      expect((await send("vic", "GET", "/model_version?name=v1")).reason).toBe("AMBIGUOUS_NAME");
      const elsewhere = await expectSameAnswer("fraud-vic", "GET", "/model_version?name=only-churn", "/model_version?name=nowhere-at-all", [
        "only-churn",
        "nowhere-at-all",
      ]);
      expect(elsewhere.status).toBe(404);
      // Callers who read every model see both, and existence as it is.
      expect((await send("vic", "GET", "/model_version?name=only-churn")).status).toBe(200);
      expect((await send("vic", "GET", `/model_versions/${MISSING}`)).status).toBe(404);
      expect((await send("vic", "GET", `/model_versions/${churn.versionId}`)).status).toBe(200);
    });

    it("does not make a restricted caller's own version name ambiguous because another model uses it", async () => {
      const shared = `shared-${randomBytes(3).toString("hex")}`;
      // Three matches in other models come first (in the default create-time order).
      for (const other of ["churn", "retention", "upsell"]) {
        const m = await ok(send("adm", "POST", "/registered_models", { name: `${other}-${randomBytes(3).toString("hex")}` }));
        await ok(send("adm", "POST", "/model_versions", { name: shared, registeredModelId: m.id }));
      }
      const model = await ok(send("adm", "POST", "/registered_models", { name: `fraud-solo-${randomBytes(3).toString("hex")}` }));
      const mine = await ok(send("adm", "POST", "/model_versions", { name: shared, registeredModelId: model.id }));
      expect((await send("adm", "GET", `/model_version?name=${shared}`)).reason).toBe("AMBIGUOUS_NAME");
      expect((await ok(send("fraud-vic", "GET", `/model_version?name=${shared}`))).id).toBe(mine.id);
    });

    it("answers finds by another model's external ids exactly as external ids that do not exist: 404", async () => {
      for (const path of ["/registered_model", "/model_version", "/model_artifact", "/artifact"]) {
        const answer = await expectSameAnswer("fraud-vic", "GET", `${path}?externalId=${churn.ext}`, `${path}?externalId=no-such-ext`, [
          churn.ext,
          "no-such-ext",
        ]);
        expect(answer.status).toBe(404);
        expect((await send("fraud-vic", "GET", `${path}?externalId=${fraud.ext}`)).status).toBe(200);
      }
    });

    it("answers a find under another model or version exactly as under one that does not exist", async () => {
      const model = await expectSameAnswer(
        "fraud-vic",
        "GET",
        `/model_version?name=v1&parentResourceId=${churn.modelId}`,
        `/model_version?name=v1&parentResourceId=${MISSING}`,
        [churn.modelId, MISSING],
      );
      expect(model.status).toBe(403);
      for (const path of ["/model_artifact", "/artifact"]) {
        const version = await expectSameAnswer(
          "fraud-vic",
          "GET",
          `${path}?name=weights&parentResourceId=${churn.versionId}`,
          `${path}?name=weights&parentResourceId=${MISSING}`,
          [churn.versionId, MISSING],
        );
        expect(version.status).toBe(404);
        expect((await send("fraud-vic", "GET", `${path}?name=weights&parentResourceId=${fraud.versionId}`)).status).toBe(200);
      }
      expect((await send("fraud-vic", "GET", `/model_version?name=v1&parentResourceId=${fraud.modelId}`)).status).toBe(200);
    });

    it("shows a model artifact linked to no version only to callers who read every model, and lets only them link it", async () => {
      const standalone = await ok(send("adm", "POST", "/model_artifacts", { name: "loose", uri: "s3" }));
      const grpc = (who: Subject) => server.client("grpc", { token: tokens.secret[who] });
      // Everyone who reads every model sees it, over REST and gRPC.
      expect((await ok(send("vic", "GET", `/model_artifacts/${standalone.id}`))).uri).toBe("s3");
      expect((await grpc("vic").getModelArtifact({ name: `artifacts/${standalone.id}` })).modelArtifact?.uri).toBe("s3");
      // A caller restricted to fraud-* models: the same 403 as for an id that does not exist, and never in a list.
      for (const [who, method, template, body] of [
        ["fraud-vic", "GET", "/model_artifacts/{id}"],
        ["fraud-vic", "GET", "/artifacts/{id}"],
        ["fraud-ed", "PATCH", "/model_artifacts/{id}", { description: "x" }],
      ] as Array<[Subject, string, string, unknown?]>) {
        const answer = await expectSameAnswer(
          who,
          method,
          template.replace("{id}", standalone.id),
          template.replace("{id}", MISSING),
          [standalone.id, MISSING],
          body,
        );
        expect(answer.status).toBe(403);
      }
      const listed = await ok(send("fraud-vic", "GET", "/model_artifacts?pageSize=1000"));
      expect(listed.items.map((a: { id: string }) => a.id)).not.toContain(standalone.id);
      expect((await ok(send("vic", "GET", "/model_artifacts?pageSize=1000"))).items.map((a: { id: string }) => a.id)).toContain(standalone.id);
      // Creating one, or linking one into its own model, needs a grant on every model.
      expect((await send("fraud-ed", "POST", "/model_artifacts", { name: "mine", uri: "s3://b/m" })).status).toBe(403);
      const link = await send("fraud-ed", "POST", `/model_versions/${fraud.versionId}/artifacts`, {
        artifactType: "model-artifact",
        id: standalone.id,
      });
      expect(link.status).toBe(403);
      expect(link.body.message).toContain(`model artifact ${standalone.id} is not visible to fraud-ed`);
      for (const call of [
        () => grpc("fraud-vic").getModelArtifact({ name: `artifacts/${standalone.id}` }),
        () => grpc("fraud-vic").listModelArtifacts({ parent: "" }),
        () => grpc("fraud-ed").deleteModelArtifact({ name: `artifacts/${standalone.id}` }),
      ]) {
        await expect(call()).rejects.toMatchObject({ code: Code.PermissionDenied });
      }
      const events = await grpc("fraud-vic").listEvents({ resourceTypes: ["ModelArtifact"], pageSize: 1000 });
      expect(events.events.map((e) => e.resourceName)).not.toContain(`artifacts/${standalone.id}`);
      // Once linked to a fraud-* version by an admin, it is in that model: the restricted caller sees it there.
      await ok(send("adm", "POST", `/model_versions/${fraud.versionId}/artifacts`, { artifactType: "model-artifact", id: standalone.id }));
      expect((await ok(send("fraud-vic", "GET", `/model_artifacts/${standalone.id}`))).uri).toBe("s3");
      const linked = await grpc("fraud-vic").listEvents({ registeredModel: `registeredModels/${fraud.modelId}`, resourceTypes: ["ModelArtifact"] });
      expect(linked.events.at(-1)?.resourceName).toBe(`registeredModels/${fraud.modelId}/versions/${fraud.versionId}/artifacts/${standalone.id}`);
    });
  });
}
