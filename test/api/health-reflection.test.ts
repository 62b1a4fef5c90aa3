import { execFile } from "node:child_process";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { file_health_v1_health, Health, HealthCheckResponse_ServingStatus } from "../../gen/health/v1/health_pb.js";
import * as reflectionV1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as reflectionV1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { file_modelregistry_v1_model_registry_service } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { registerHealthService } from "../../src/api/health-service.js";
import type { HealthStatus } from "../../src/api/health-service.js";
import { registerReflectionService } from "../../src/api/reflection-service.js";

const run = promisify(execFile);
const bufBin = fileURLToPath(new URL("../../node_modules/.bin/buf", import.meta.url));
const healthProto = fileURLToPath(new URL("../../node_modules/grpc-health-check/proto/health/v1/health.proto", import.meta.url));
const registryService = "modelregistry.v1.ModelRegistryService";

let status: HealthStatus = "SERVING";
let checks = 0;
const shutdown = new AbortController();
const sessions = new Set<http2.ServerHttp2Session>();
let server: http2.Http2Server;
let url: string;
let sessionManager: Http2SessionManager;

function buf(...args: string[]) {
  return run(bufBin, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", ...args], { timeout: 30_000 });
}

beforeAll(async () => {
  const routes = (router: ConnectRouter) => {
    registerHealthService(router, {
      async check(service) {
        checks++;
        return service === "" || service === registryService ? status : "SERVICE_UNKNOWN";
      },
      watchIntervalMs: 20,
      shutdownSignal: shutdown.signal,
    });
    registerReflectionService(router, [
      file_modelregistry_v1_model_registry_service,
      file_health_v1_health,
      reflectionV1.file_grpc_reflection_v1_reflection,
      reflectionV1alpha.file_grpc_reflection_v1alpha_reflection,
    ]);
  };
  server = http2.createServer(connectNodeAdapter({ routes }));
  server.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sessionManager = new Http2SessionManager(url);
});

afterAll(async () => {
  sessionManager?.abort();
  for (const s of sessions) s.destroy();
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
});

/** The gRPC transport always speaks HTTP/2 (it has no httpVersion option); one shared session, closed in afterAll. */
function transport() {
  return createGrpcTransport({ baseUrl: url, sessionManager });
}

describe("grpc.health.v1.Health", () => {
  it("Check reports the status, NOT_SERVING after a flip, NotFound for unknown services", async () => {
    const client = createClient(Health, transport());
    status = "SERVING";
    expect((await client.check({ service: "" })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    status = "NOT_SERVING";
    expect((await client.check({ service: registryService })).status).toBe(HealthCheckResponse_ServingStatus.NOT_SERVING);
    const err = await client.check({ service: "no.such.Service" }).catch((e: unknown) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.NotFound);
    status = "SERVING";
  });

  it("Watch sends the current status, then changes only, and stops when the client cancels", async () => {
    status = "SERVING";
    const abort = new AbortController();
    const seen: HealthCheckResponse_ServingStatus[] = [];
    const stream = createClient(Health, transport()).watch({ service: "" }, { signal: abort.signal });
    const done = (async () => {
      for await (const res of stream) {
        seen.push(res.status);
        if (seen.length === 1) status = "NOT_SERVING";
        if (seen.length === 2) abort.abort();
      }
    })().catch((e: unknown) => ConnectError.from(e));
    const err = await done;
    expect(seen).toEqual([HealthCheckResponse_ServingStatus.SERVING, HealthCheckResponse_ServingStatus.NOT_SERVING]);
    expect((err as ConnectError).code).toBe(Code.Canceled);
    // The handler must have stopped polling: no check runs after the cancel has propagated.
    await new Promise((r) => setTimeout(r, 60));
    const after = checks;
    await new Promise((r) => setTimeout(r, 100));
    expect(checks).toBe(after);
    status = "SERVING";
  });

  it("answers a @grpc/grpc-js client built from grpc-health-check's health.proto", async () => {
    const def = protoLoader.loadSync(healthProto, { keepCase: true, enums: String, defaults: true });
    type HealthClient = grpc.Client & {
      Check(req: { service: string }, cb: (err: grpc.ServiceError | null, res?: { status: string }) => void): void;
    };
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      grpc: { health: { v1: { Health: new (addr: string, creds: grpc.ChannelCredentials) => HealthClient } } };
    };
    const client = new pkg.grpc.health.v1.Health(url.replace("http://", ""), grpc.credentials.createInsecure());
    try {
      const res = await new Promise<{ status: string } | undefined>((resolve, reject) =>
        client.Check({ service: "" }, (err, r) => (err ? reject(err) : resolve(r))),
      );
      expect(res?.status).toBe("SERVING");
    } finally {
      client.close();
    }
  });
});

describe("grpc.reflection", () => {
  it("buf curl --list-services lists the app, health and reflection services", async () => {
    const { stdout } = await buf("--list-services", url);
    const services = stdout.trim().split("\n");
    expect(services).toEqual(expect.arrayContaining([registryService, "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"]));
  });

  it("buf curl --list-methods resolves the model registry service with its imports", async () => {
    // With reflection, --list-methods takes the base URL and lists the methods of every service.
    const { stdout } = await buf("--list-methods", url);
    expect(stdout).toContain(`${registryService}/RegisterModel`);
    expect(stdout).toContain(`${registryService}/ListModelArtifacts`);
  });

  it("buf curl calls Health/Check through reflection", async () => {
    const { stdout } = await buf("-d", "{}", `${url}/grpc.health.v1.Health/Check`);
    expect(JSON.parse(stdout)).toEqual({ status: "SERVING" });
  });

  it("file_containing_symbol returns the file and its imports once each, imports first; unknown is NOT_FOUND", async () => {
    const client = createClient(reflectionV1.ServerReflection, transport());
    async function* requests() {
      yield { messageRequest: { case: "fileContainingSymbol" as const, value: `.${registryService}.GetModelVersion` } };
      yield { messageRequest: { case: "fileContainingSymbol" as const, value: "no.such.Symbol" } };
    }
    const responses = [];
    for await (const res of client.serverReflectionInfo(requests())) responses.push(res);
    const [found, missing] = responses;
    expect(found?.messageResponse.case).toBe("fileDescriptorResponse");
    const names =
      found?.messageResponse.case === "fileDescriptorResponse"
        ? found.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b).name)
        : [];
    expect(new Set(names).size).toBe(names.length);
    expect(names.at(-1)).toBe("modelregistry/v1/model_registry_service.proto");
    expect(names).toEqual(
      expect.arrayContaining([
        "google/protobuf/struct.proto",
        "google/protobuf/timestamp.proto",
        "google/protobuf/field_mask.proto",
        "modelregistry/v1/resources.proto",
      ]),
    );
    expect(names.indexOf("google/protobuf/struct.proto")).toBeLessThan(names.indexOf("modelregistry/v1/resources.proto"));
    expect(missing?.messageResponse.case).toBe("errorResponse");
    expect(missing?.messageResponse.value).toMatchObject({ errorCode: 5 });
  });

  it("v1alpha answers list_services", async () => {
    const client = createClient(reflectionV1alpha.ServerReflection, transport());
    async function* requests() {
      yield { messageRequest: { case: "listServices" as const, value: "" } };
    }
    const names: string[] = [];
    for await (const res of client.serverReflectionInfo(requests())) {
      if (res.messageResponse.case === "listServicesResponse") names.push(...res.messageResponse.value.service.map((s) => s.name));
    }
    expect(names).toEqual(expect.arrayContaining([registryService, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"]));
  });
});

describe("shutdown", () => {
  it("ends open Watch streams with Unavailable when the shutdown signal aborts", async () => {
    const stream = createClient(Health, transport()).watch({ service: "" });
    const err = await (async () => {
      for await (const _ of stream) shutdown.abort();
    })().then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(err?.code).toBe(Code.Unavailable);
  });
});
