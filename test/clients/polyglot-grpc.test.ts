import { execFile, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { startTestServer, type TestServer } from "../support/server.js";

const run = promisify(execFile);
const bufBin = fileURLToPath(new URL("../../node_modules/.bin/buf", import.meta.url));
const SERVICE = "modelregistry.v1.ModelRegistryService";

/** Debian's grpcio and grpc-tools (apt-get install python3-grpcio python3-grpc-tools), for the system Python. */
const GRPC_PYTHON = process.env.GRPC_PYTHON ?? "/usr/bin/python3";
const grpcioAvailable = spawnSync(GRPC_PYTHON, ["-c", "import grpc, grpc_tools.protoc"], { stdio: "ignore" }).status === 0;

// Declared once outside the dialect suites when grpcio is missing, so that the skip is visible
// without counting as a skipped [postgres] test (.ci/check-suite-ran.mjs).
if (!grpcioAvailable) {
  describe("grpcio (Python) polyglot check", () => {
    it.skip("needs python3-grpcio and python3-grpc-tools (apt-get install -y python3-grpcio python3-grpc-tools)", () => {});
  });
}

/**
 * Generates Python stubs from proto/. Debian bookworm's grpc-tools bundles protoc 3.6, which
 * predates proto3 `optional`: the copy drops the keyword (field presence does not matter to
 * these calls; the wire format is the same).
 */
async function generatePythonStubs(dir: string): Promise<void> {
  const src = join(dir, "proto");
  cpSync("proto/modelregistry", join(src, "modelregistry"), { recursive: true });
  const protoDir = join(src, "modelregistry", "v1");
  const files = readdirSync(protoDir).filter((f) => f.endsWith(".proto"));
  for (const f of files) {
    const path = join(protoDir, f);
    writeFileSync(path, readFileSync(path, "utf8").replace(/^(\s*)optional /gm, "$1"));
  }
  const { stdout: include } = await run(GRPC_PYTHON, [
    "-c",
    "import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), '_proto'))",
  ]);
  const out = join(dir, "gen");
  cpSync(src, out, { recursive: true, filter: (p) => !p.endsWith(".proto") });
  await run(GRPC_PYTHON, [
    "-m",
    "grpc_tools.protoc",
    `-I${src}`,
    `-I${include.trim()}`,
    `--python_out=${out}`,
    `--grpc_python_out=${out}`,
    ...files.map((f) => join(protoDir, f)),
  ]);
  writeFileSync(join(out, "modelregistry", "__init__.py"), "");
  writeFileSync(join(out, "modelregistry", "v1", "__init__.py"), "");
}

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] gRPC clients of other languages that only have the .proto`, () => {
    let server: TestServer;
    let dir: string;
    beforeAll(async () => {
      server = await startTestServer(dialect);
      dir = mkdtempSync(join(tmpdir(), "model-registry-polyglot-"));
    });
    afterAll(async () => {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("buf curl (Go) registers over gRPC with --schema proto, then reads over Connect through reflection", async () => {
      const name = `buf-${dialect.name}`;
      const body = {
        registeredModel: { displayName: name },
        modelVersion: { version: "v1", customProperties: { accuracy: { doubleValue: 0.91 }, epochs: { intValue: "12" } } },
        modelArtifacts: [{ uri: `s3://ml-models/${name}/v1/model.onnx`, modelFormatName: "onnx" }],
      };
      const registered = await run(
        bufBin,
        [
          "curl",
          "--schema",
          "proto",
          "--protocol",
          "grpc",
          "--http2-prior-knowledge",
          "-H",
          "x-actor: buf@acme.com",
          "-d",
          JSON.stringify(body),
          `${server.url}/${SERVICE}/RegisterModel`,
        ],
        { timeout: 30_000 },
      );
      expect(JSON.parse(registered.stdout).registeredModelCreated).toBe(true);
      const got = await run(
        bufBin,
        [
          "curl",
          "--protocol",
          "connect",
          "-d",
          JSON.stringify({ registeredModelDisplayName: name, version: "v1" }),
          `${server.url}/${SERVICE}/GetModelVersion`,
        ],
        { timeout: 30_000 },
      );
      const v = JSON.parse(got.stdout).modelVersion;
      expect(v).toMatchObject({
        version: "v1",
        state: "STATE_LIVE",
        customProperties: { accuracy: { doubleValue: 0.91 }, epochs: { intValue: "12" } },
      });
      const missing = await run(bufBin, [
        "curl",
        "--protocol",
        "grpc",
        "--http2-prior-knowledge",
        "-d",
        '{"displayName": "nope"}',
        `${server.url}/${SERVICE}/GetRegisteredModel`,
      ]).catch((e: { stderr: string; code: number }) => e);
      expect(JSON.parse((missing as { stderr: string }).stderr)).toMatchObject({ code: "not_found" });
    }, 60_000);

    if (grpcioAvailable)
      it("grpcio (Python) with stubs generated from proto/ registers and reads a model", async () => {
        await generatePythonStubs(dir);
        const name = `grpcio-${dialect.name}`;
        const { stdout } = await run(GRPC_PYTHON, ["test/clients/grpcio_client.py", join(dir, "gen"), `127.0.0.1:${server.port}`, name], {
          timeout: 30_000,
        });
        expect(JSON.parse(stdout)).toEqual({
          created: true,
          name: expect.stringMatching(/^registeredModels\/\d+\/versions\/\d+$/),
          version: "v2",
          state: "STATE_LIVE",
          accuracy: 0.967,
          epochs: 12,
          uri: `s3://ml-models/${name}/v2/model.onnx`,
          missing: "NOT_FOUND",
        });
      }, 60_000);
  });
}
