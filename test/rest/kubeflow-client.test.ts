import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { startTestServer, type TestServer } from "../support/server.js";

const PYTHON = process.env.PYTHON ?? "python3";
const SCRIPT = fileURLToPath(new URL("./kubeflow_client_flow.py", import.meta.url));

/** Runs the script to completion: exit code, stdout, stderr. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, ...args], { env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] the Kubeflow model-registry client's REST flow`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server?.close());

    it("registers five versions, refuses a duplicate, pages them, links a standalone artifact, and resolves URIs like KServe", async () => {
      const { code, stdout, stderr } = await run([server.url]);
      expect(code, stderr).toBe(0);
      const seen = JSON.parse(stdout) as {
        versions: string[];
        pages: number;
        created_model: boolean[];
        storage_uris: Record<string, string>;
        model_id: string;
        linked_artifact_id: string;
      };
      expect(seen.created_model).toEqual([true, false, false, false, false]);
      expect(seen.versions).toEqual(["v1", "v2", "v3", "v4", "v5"]);
      expect(seen.pages).toBe(3);
      const host = new URL(server.url).host;
      expect(seen.storage_uris).toEqual({
        [`model-registry://${host}/fraud-detector-kf/v4`]: "s3://ml-models/fraud-detector-kf/v4/model.onnx",
        [`model-registry://${host}/fraud-detector-kf`]: "s3://ml-models/fraud-detector-kf/v5/model.onnx",
        "model-registry://fraud-detector-kf/v2?revision=1": "s3://ml-models/fraud-detector-kf/v2/model.onnx",
      });
      const grpc = server.client("grpc");
      // KServe's initializer over REST and ResolveModelUri give the same artifact URI for the same URI.
      for (const [uri, artifactUri] of Object.entries(seen.storage_uris))
        expect((await grpc.resolveModelUri({ uri })).artifactUri, uri).toBe(artifactUri);
      // The artifact created standalone with uri "test uri" (then patched to "uri") is now v5's, with its id.
      const linked = (await grpc.listModelArtifacts({ parent: `registeredModels/${seen.model_id}/versions/latest` })).modelArtifacts;
      expect(linked.find((a) => a.id === seen.linked_artifact_id)).toMatchObject({ displayName: "test model", uri: "uri", storageKey: "test key" });
      const v4 = (await grpc.getModelVersion({ registeredModelDisplayName: "fraud-detector-kf", version: "v4" })).modelVersion!;
      expect(v4.author).toBe("kf-pipeline");
      expect(v4.customProperties.epochs?.kind).toEqual({ case: "intValue", value: 40n });
      expect(v4.customProperties.calibrated?.kind).toEqual({ case: "boolValue", value: true });
    }, 30_000);
  });
}
