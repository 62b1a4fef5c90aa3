import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { ensurePostgresSchema } from "../../src/store/kysely/postgres.js";
import { makePki, writeTokensFile } from "../security/support.js";
import { dropSchema, POSTGRES_URL } from "../support/dialects.js";
import { imageCommand, parseDockerfile } from "../support/dockerfile.js";
import { seedRegisterRequest } from "../support/fixtures.js";
import { type PackedInstall, packAndInstall } from "../support/packed-install.js";
import { postgresUrlWithSchema, type ServerProcess, spawnListening } from "../support/process.js";

const run = promisify(execFile);

/**
 * What users install: `npm pack`, then `npm install --omit=dev` of the tarball in an empty folder,
 * run from there with nothing of this checkout (no TypeScript, no tsx, no dev dependencies).
 */
let install: PackedInstall;
let work: string;
const servers: ServerProcess[] = [];
beforeAll(async () => {
  install = await packAndInstall();
  work = mkdtempSync(join(tmpdir(), "model-registry-packed-"));
}, 400_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  install?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
}, 60_000);

/** Starts the installed `model-registry serve` from the install folder. */
async function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const server = await spawnListening(install.bin, ["serve", "--port", "0", "--log-level", "warn", ...args], env, { cwd: install.root });
  servers.push(server);
  return server;
}

/** Runs an installed client command to completion. */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(install.bin, args, { cwd: install.root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const [code] = await once(child, "exit");
  return { code: code as number | null, output };
}

describe("the packed package", () => {
  it("holds the compiled server, the built web UI, the protos, README and LICENSE, and no TypeScript sources, tests or source maps", () => {
    expect(install.files).toEqual(
      expect.arrayContaining([
        "dist/src/main.js",
        "dist/gen/modelregistry/v1/model_registry_service_pb.js",
        "dist/ui/index.html",
        "proto/modelregistry/v1/resources.proto",
        "LICENSE",
        "README.md",
        "package.json",
      ]),
    );
    const unexpected = install.files.filter((f) => /^(src|test|bench|examples|clients|deploy|docs)\//.test(f) || /\.ts$|\.map$|tsbuildinfo/.test(f));
    expect(unexpected).toEqual([]);
  });

  it("installs with --omit=dev to exactly the runtime dependencies: no tsx, TypeScript or test tools", async () => {
    const { stdout } = await run("npm", ["ls", "--omit=dev", "--all", "--parseable"], { cwd: install.root, maxBuffer: 16 * 1024 * 1024 });
    const names = new Set(stdout.split("\n").map((line) => line.replace(/^.*node_modules\//, "")));
    for (const needed of ["model-registry", "@grpc/grpc-js", "better-sqlite3", "pg", "kysely", "@connectrpc/connect-node"])
      expect(names).toContain(needed);
    for (const devOnly of ["tsx", "esbuild", "typescript", "vitest", "@bufbuild/buf", "@bufbuild/protoc-gen-es"])
      expect(names).not.toContain(devOnly);
  }, 60_000);

  it("prints its usage from the installed command without starting a server", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.output).toMatch(/^usage: model-registry <command>/);
  });
});

describe("[sqlite-file] the installed server", () => {
  it("serves Connect on its port and native gRPC on --grpc-port, and says what it serves and migrated", async () => {
    const database = join(work, "grpc-port.db");
    const server = await serve(["--grpc-port", "0", "--database", `sqlite:${database}`]);
    await expect.poll(() => server.output(), { timeout: 5_000 }).toMatch(/native gRPC \(grpc-js\) on [\d.]+:\d+/);
    expect(server.output()).toContain("(gRPC, gRPC-Web, Connect, Kubeflow REST v1alpha3)");
    expect(server.output()).toContain(`with database sqlite:${database}; applied migrations 0001`);
    const grpcPort = /native gRPC \(grpc-js\) on [\d.]+:(\d+)/.exec(server.output())![1];
    const connect = createClient(ModelRegistryService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
    const grpc = createClient(ModelRegistryService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${grpcPort}` }));
    const registered = await connect.registerModel(seedRegisterRequest({ name: "packed" }));
    const read = await grpc.getRegisteredModel({ name: registered.registeredModel!.name });
    expect(read.registeredModel!.displayName).toBe("packed");
    const ui = await fetch(`${server.url}/ui/models/1`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<div id="root">');
  }, 60_000);

  it("answers the installed client commands", async () => {
    const server = await serve(["--database", `sqlite:${join(work, "cli.db")}`]);
    const env = { MODEL_REGISTRY_SERVER: server.url, MODEL_REGISTRY_ACTOR: "ci@acme.com" };
    const registered = await cli(["register", "cli-model", "--version", "v1", "--uri", "s3://ml-models/cli-model/v1/model.onnx"], env);
    expect(registered.code, registered.output).toBe(0);
    const list = await cli(["versions", "list", "cli-model"], env);
    expect(list.code, list.output).toBe(0);
    expect(list.output).toMatch(/^v1 +LIVE +.*s3:\/\/ml-models\/cli-model\/v1\/model\.onnx$/m);
  }, 60_000);

  it("serves TLS, and a client command trusting the CA talks to it over https", async () => {
    const pki = makePki(work);
    const server = await serve(["--database", `sqlite:${join(work, "tls.db")}`, "--tls-cert", pki.serverCertPath, "--tls-key", pki.serverKeyPath]);
    expect(server.url).toMatch(/^https:\/\//);
    const env = { MODEL_REGISTRY_SERVER: server.url.replace("127.0.0.1", "localhost"), NODE_EXTRA_CA_CERTS: pki.caCertPath };
    expect(await cli(["register", "tls-model", "--version", "v1", "--uri", "s3://b/tls/model.onnx"], env)).toMatchObject({ code: 0 });
    const list = await cli(["models", "list"], env);
    expect(list.code, list.output).toBe(0);
    expect(list.output).toContain("tls-model");
    const untrusted = await cli(["models", "list"], { MODEL_REGISTRY_SERVER: env.MODEL_REGISTRY_SERVER });
    expect(untrusted.code).toBe(1);
  }, 60_000);
});

describe.runIf(POSTGRES_URL !== "")("[postgres] the installed server", () => {
  const schema = `test_packed_${randomBytes(4).toString("hex")}`;
  afterAll(() => dropSchema(schema));

  it("migrates and serves a Postgres database, and a client command reads what another wrote", async () => {
    await ensurePostgresSchema(POSTGRES_URL, schema);
    const server = await serve(["--database", postgresUrlWithSchema(POSTGRES_URL, schema)]);
    expect(server.output()).toContain("applied migrations 0001");
    const env = { MODEL_REGISTRY_SERVER: server.url };
    expect(await cli(["register", "pg-model", "--version", "v7", "--uri", "s3://b/pg/model.onnx"], env)).toMatchObject({ code: 0 });
    const get = await cli(["versions", "get", "pg-model", "v7", "--json"], env);
    expect(get.code, get.output).toBe(0);
    expect(JSON.parse(get.output).modelVersion.version).toBe("v7");
  }, 60_000);
});

/**
 * No Docker daemon runs here, so the image's own configuration (USER, ENV, WORKDIR, ENTRYPOINT,
 * CMD, HEALTHCHECK of deploy/container/Dockerfile) is run against the packed install: `/app` is the
 * install folder, `/data` a folder only the image's user may write, the environment exactly the
 * image's plus what `docker run -e` would add (a free port, a tokens file mounted read-only).
 */
describe("[sqlite-file] the container image's command, as its unprivileged user", () => {
  const image = parseDockerfile(readFileSync("deploy/container/Dockerfile", "utf8")).final;
  const [uid, gid] = (image.user ?? "").split(":").map(Number);
  const asRoot = process.getuid?.() === 0;
  if (!asRoot) console.log("note: not running as root, so the image's command runs as the current user, not as its USER");
  const as = asRoot ? { uid: uid!, gid: gid ?? uid! } : {};
  // A path, or a URL ending in one (sqlite:/data/registry.db), as seen from inside the container.
  const path = (p: string) => p.replace(/(^|:)\/app(?=\/|$)/, `$1${install.root}`).replace(/(^|:)\/data(?=\/|$)/, `$1${join(work, "data")}`);
  const env = () => ({
    ...Object.fromEntries(Object.entries(image.env).map(([k, v]) => [k, path(v)])),
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: "/",
  });
  let server: ServerProcess;
  let secret: string;

  beforeAll(async () => {
    chmodSync(work, 0o755); // mkdtemp makes it 0700: the image's user must reach data/ and secrets/ inside
    const data = join(work, "data");
    mkdirSync(data, { mode: 0o700 });
    if (asRoot) chownSync(data, uid!, gid ?? uid!);
    const secrets = join(work, "secrets");
    mkdirSync(secrets, { mode: 0o755 });
    const tokens = writeTokensFile(secrets, { ops: "admin" });
    chmodSync(tokens.path, 0o444);
    secret = tokens.secret.ops!;
    const [command, ...args] = imageCommand(image).map(path);
    server = await spawnListening(
      command!,
      args,
      { ...env(), MODEL_REGISTRY_PORT: "0", MODEL_REGISTRY_TOKENS_FILE: tokens.path },
      { cwd: path(image.workdir ?? "/"), replaceEnv: true, ...as },
    );
    servers.push(server);
  }, 60_000);

  it("runs the image's exec-form ENTRYPOINT and CMD with its ENV: all interfaces, the database on the volume", () => {
    expect(image.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(server.output()).toContain(`with database sqlite:${join(work, "data", "registry.db")}`);
    expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    expect(existsSync(join(work, "data", "registry.db"))).toBe(true);
  });

  it("serves authenticated calls and refuses anonymous ones", async () => {
    const baseUrl = `http://127.0.0.1:${server.port}`;
    const authed = createClient(
      ModelRegistryService,
      createConnectTransport({
        baseUrl,
        httpVersion: "1.1",
        interceptors: [(next) => (req) => (req.header.set("authorization", `Bearer ${secret}`), next(req))],
      }),
    );
    const registered = await authed.registerModel(seedRegisterRequest({ name: "in-container" }));
    expect(registered.registeredModel!.displayName).toBe("in-container");
    const anonymous = createClient(ModelRegistryService, createConnectTransport({ baseUrl, httpVersion: "1.1" }));
    await expect(anonymous.listRegisteredModels({})).rejects.toThrow(/credentials|unauthenticated/i);
  });

  it.runIf(asRoot)("cannot write to its own code: only the volume and the temp folder are writable", async () => {
    const probe = (target: string) =>
      run(process.execPath, ["-e", `require("fs").writeFileSync(${JSON.stringify(target)}, "x")`], { env: env(), ...as }).then(
        () => "written",
        (e: { stderr: string }) => (/EACCES/.test(e.stderr) ? "EACCES" : e.stderr),
      );
    expect(await probe(join(install.packageDir, "dist", "src", "injected.js"))).toBe("EACCES");
    expect(await probe(join(install.root, "injected.js"))).toBe("EACCES");
    expect(await probe(join(work, "data", "probe"))).toBe("written");
    const inTmp = join(tmpdir(), `model-registry-probe-${randomBytes(4).toString("hex")}`);
    expect(await probe(inTmp)).toBe("written");
    rmSync(inTmp, { force: true });
  });

  it("passes the image's exec-form HEALTHCHECK while serving", async () => {
    const check = image.healthcheck;
    if (check === undefined || check === "none") throw new Error("the image has no HEALTHCHECK");
    expect(check.execForm).toBe(true);
    const [command, ...args] = check.argv;
    const { stdout } = await run(command!, args, { env: { ...env(), MODEL_REGISTRY_PORT: String(server.port) }, ...as }).then(() => ({
      stdout: "healthy",
    }));
    expect(stdout).toBe("healthy");
  });

  it("stops gracefully on SIGTERM (node is PID 1 in exec form and receives it) with exit code 0", async () => {
    expect(await server.stop("SIGTERM")).toBe(0);
  });
});
