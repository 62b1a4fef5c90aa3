import { execFileSync } from "node:child_process";
import { createHmac, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { type App, type AppOptions, startApp } from "../../src/app.js";
import { hashToken } from "../../src/auth/token-file.js";
import { createLogger } from "../../src/logger.js";
import type { TestDatabase, TestDialect } from "../support/dialects.js";

/** Main-port protocols, plus the grpc-js fast path (a second port) when the server has one. */
export type SecureProtocol = "connect-json-h1" | "connect-binary-h2" | "grpc" | "grpc-web" | "grpc-fast-path";

/** What a test client presents. */
export interface Credentials {
  /** Sent as `authorization: Bearer <token>`. */
  token?: string;
  /** Raw authorization header (for malformed ones). */
  authorization?: string;
  /** Sent as x-actor (ignored when authentication is on). */
  actor?: string;
  /** TLS client certificate and key (PEM). */
  cert?: Buffer;
  key?: Buffer;
}

export interface SecureServer {
  app: App;
  db: TestDatabase;
  url: string;
  client(protocol: SecureProtocol, credentials?: Credentials): Client<typeof ModelRegistryService>;
  clientOf<S extends DescService>(service: S, protocol: SecureProtocol, credentials?: Credentials): Client<S>;
  close(): Promise<void>;
}

export interface SecureServerOptions extends Partial<Omit<AppOptions, "database" | "schema" | "logger">> {
  /** CA that signed the server certificate, for clients to trust (TLS). */
  trustCa?: Buffer;
}

/** The real app on port 0 over a fresh database, with security options, and clients presenting credentials. */
export async function startSecureServer(dialect: TestDialect, options: SecureServerOptions = {}): Promise<SecureServer> {
  const db = await dialect.create();
  const { trustCa, ...appOptions } = options;
  const app = await startApp({
    host: "127.0.0.1",
    port: 0,
    poolSize: 5,
    ...appOptions,
    database: db.database,
    schema: db.schema,
    logger: createLogger((process.env.TEST_LOG_LEVEL as "debug") ?? "silent"),
  });
  const managers: Http2SessionManager[] = [];
  const transport = (protocol: SecureProtocol, c: Credentials = {}): Transport => {
    const auth: Interceptor = (next) => async (req) => {
      if (c.token !== undefined) req.header.set("authorization", `Bearer ${c.token}`);
      if (c.authorization !== undefined) req.header.set("authorization", c.authorization);
      if (c.actor !== undefined) req.header.set("x-actor", c.actor);
      return next(req);
    };
    const interceptors = [auth];
    const tlsOptions = { ...(trustCa ? { ca: trustCa } : {}), ...(c.cert ? { cert: c.cert, key: c.key } : {}) };
    let baseUrl = app.server.url;
    if (protocol === "grpc-fast-path") {
      if (!app.grpcServer) throw new Error("start the server with grpcPort: 0 for the fast path");
      baseUrl = `${trustCa ? "https" : "http"}://127.0.0.1:${app.grpcServer.port}`;
    }
    if (protocol === "connect-json-h1") return createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors, nodeOptions: tlsOptions });
    const sessionManager = new Http2SessionManager(baseUrl, undefined, tlsOptions);
    managers.push(sessionManager);
    if (protocol === "connect-binary-h2")
      return createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, sessionManager, interceptors });
    if (protocol === "grpc-web") return createGrpcWebTransport({ baseUrl, httpVersion: "2", sessionManager, interceptors });
    return createGrpcTransport({ baseUrl, sessionManager, interceptors });
  };
  return {
    app,
    db,
    url: app.server.url,
    client: (protocol, credentials) => createClient(ModelRegistryService, transport(protocol, credentials)),
    clientOf: (service, protocol, credentials) => createClient(service, transport(protocol, credentials)),
    async close() {
      for (const m of managers) m.abort();
      await app.close();
      await db.cleanup();
    },
  };
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "model-registry-security-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Bearer secrets and the tokens file that grants them roles. */
export interface TestTokens {
  path: string;
  /** subject -> secret */
  secret: Record<string, string>;
  /** Rewrites the file with these entries (subject -> grants), keeping secrets of known subjects. */
  write(entries: Record<string, string>, certificates?: Record<string, string>): void;
}

/** Writes a tokens file (lines form) with one secret per subject. */
export function writeTokensFile(dir: string, entries: Record<string, string>, certificates: Record<string, string> = {}): TestTokens {
  const path = join(dir, "tokens");
  const secret: Record<string, string> = {};
  const write = (e: Record<string, string>, certs: Record<string, string> = {}) => {
    const lines = ["# subject  credential  grants"];
    for (const [subject, grants] of Object.entries(e)) {
      secret[subject] ??= `secret-${subject}-${Math.random().toString(36).slice(2)}`;
      lines.push(`${subject} ${hashToken(secret[subject]!)} ${grants}`);
    }
    for (const [subject, grants] of Object.entries(certs)) lines.push(`${subject} cert ${grants}`);
    writeFileSync(path, `${lines.join("\n")}\n`);
  };
  write(entries, certificates);
  return { path, secret, write };
}

/** A key pair for signing test JWTs, with its public JWK. */
export interface SigningKey {
  alg: "RS256" | "ES256" | "HS256";
  kid: string;
  privateKey?: KeyObject;
  secret?: Buffer;
  jwk?: Record<string, unknown>;
}

export function rsaKey(kid = "rsa-1"): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { alg: "RS256", kid, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" } };
}

export function ecKey(kid = "ec-1"): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { alg: "ES256", kid, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "ES256" } };
}

export function hmacKey(secret = "a-shared-secret-of-at-least-32-bytes!!"): SigningKey {
  return { alg: "HS256", kid: "hs", secret: Buffer.from(secret) };
}

/** Writes a JWK Set of the keys' public halves. */
export function writeJwks(path: string, keys: SigningKey[]): void {
  writeFileSync(path, JSON.stringify({ keys: keys.filter((k) => k.jwk).map((k) => k.jwk) }));
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A compact JWS over the claims (exp defaults to an hour from now). */
export function signJwt(key: SigningKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: key.alg, typ: "JWT", kid: key.kid, ...header });
  const body = b64({ iat: now, exp: now + 3600, ...claims });
  const input = `${head}.${body}`;
  let signature: Buffer;
  if (key.alg === "HS256") signature = createHmac("sha256", key.secret!).update(input).digest();
  else if (key.alg === "ES256") signature = sign("sha256", Buffer.from(input), { key: key.privateKey!, dsaEncoding: "ieee-p1363" });
  else signature = sign("sha256", Buffer.from(input), key.privateKey!);
  return `${input}.${signature.toString("base64url")}`;
}

/** Throwaway PKI made with the openssl command: a CA, a server certificate for 127.0.0.1, client certificates. */
export interface TestPki {
  caCert: Buffer;
  caCertPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  /** A client certificate signed by the CA. */
  client(cn: string): { cert: Buffer; key: Buffer };
  /** A client certificate signed by another CA (must be refused). */
  rogueClient(cn: string): { cert: Buffer; key: Buffer };
}

export function makePki(dir: string): TestPki {
  const ossl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  const ca = (name: string) => ossl("req", "-x509", ...ec, "-keyout", `${name}.key`, "-out", `${name}.crt`, "-days", "2", "-subj", `/CN=${name}`);
  ca("test-ca");
  ca("rogue-ca");
  const leaf = (name: string, cn: string, caName: string, ext: string) => {
    ossl("req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
    writeFileSync(join(dir, `${name}.ext`), ext);
    ossl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${caName}.crt`,
      "-CAkey",
      `${caName}.key`,
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    );
    return { cert: readFileSync(join(dir, `${name}.crt`)), key: readFileSync(join(dir, `${name}.key`)) };
  };
  leaf("server", "localhost", "test-ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  let n = 0;
  return {
    caCert: readFileSync(join(dir, "test-ca.crt")),
    caCertPath: join(dir, "test-ca.crt"),
    serverCertPath: join(dir, "server.crt"),
    serverKeyPath: join(dir, "server.key"),
    client: (cn) => leaf(`client-${n++}`, cn, "test-ca", "extendedKeyUsage=clientAuth\n"),
    rogueClient: (cn) => leaf(`rogue-${n++}`, cn, "rogue-ca", "extendedKeyUsage=clientAuth\n"),
  };
}
