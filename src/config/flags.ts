import type { Settings } from "./config.js";
import { aliasNames, grants, integer, logLevel, onOff, origins, type Parse, port, text } from "./values.js";

/** One flag: its name, where else its value may come from, its default, its help, its parser. */
export interface FlagSpec<T> {
  /** The flag without its dashes. */
  name: string;
  /** Environment variables read when the flag is not given; the first one set wins. */
  env: readonly string[];
  /** The value's placeholder in --help; absent for a switch, which takes no value (`--insecure`). */
  value?: string;
  /** The raw default, parsed like a given value; absent: unset. */
  default?: string;
  /** The default as --help and the docs show it, where the raw default does not say it. */
  shown?: string;
  /** The --help section. */
  group: "server" | "security";
  help: string;
  parse: Parse<T>;
}

/** A setting that cannot be undefined needs a default. */
type Defaulted<T> = undefined extends T ? unknown : { default: string };

/** A flag per setting, its parser returning that setting's type. */
export type FlagSpecs = { [K in keyof Settings]: FlagSpec<Exclude<Settings[K], undefined>> };

/** The table of flags: one entry per setting, with a default where the setting cannot be unset (the compiler checks both). */
export type FlagTable = FlagSpecs & { [K in keyof Settings]: Defaulted<Settings[K]> };

const env = (name: string) => [`MODEL_REGISTRY_${name.toUpperCase().replaceAll("-", "_")}`];

export const FLAGS: FlagTable = {
  host: { name: "host", env: env("host"), value: "HOST", default: "127.0.0.1", group: "server", help: "address to listen on", parse: text },
  port: {
    name: "port",
    env: [...env("port"), "PORT"],
    value: "PORT",
    default: "8080",
    group: "server",
    help: "the one port for gRPC, gRPC-Web, Connect and Kubeflow REST (0 picks a free one)",
    parse: port,
  },
  grpcPort: {
    name: "grpc-port",
    env: env("grpc-port"),
    value: "PORT",
    shown: "off",
    group: "server",
    help: "also serve native gRPC through @grpc/grpc-js on this port, the fast path for gRPC clients (docs/performance.md)",
    parse: port,
  },
  metrics: {
    name: "metrics",
    env: env("metrics"),
    value: "on|off",
    default: "on",
    group: "server",
    help: "Prometheus metrics at /metrics (docs/metrics.md)",
    parse: onOff,
  },
  metricsPort: {
    name: "metrics-port",
    env: env("metrics-port"),
    value: "PORT",
    shown: "on the main port",
    group: "server",
    help: "serve /metrics on this port instead of the main one, on the same --host, with the same TLS and authentication",
    parse: port,
  },
  database: {
    name: "database",
    env: ["DATABASE_URL"],
    value: "URL",
    default: "sqlite:./data/registry.db",
    group: "server",
    help: "sqlite:PATH, :memory: or postgres://USER@HOST:5432/DB (docs/postgres.md)",
    parse: text,
  },
  poolSize: {
    name: "pool-size",
    env: env("pool-size"),
    value: "N",
    default: "10",
    group: "server",
    help: "Postgres connections per server process",
    parse: integer(1, 1000),
  },
  logLevel: {
    name: "log-level",
    env: env("log-level"),
    value: "LEVEL",
    default: "info",
    group: "server",
    help: "debug (every call), info, warn, error or silent",
    parse: logLevel,
  },
  eventRetentionDays: {
    name: "event-retention-days",
    env: env("event-retention-days"),
    value: "N",
    default: "7",
    group: "server",
    help: "keep events (the audit log, and how far back Watch can resume) at least N days; 0 keeps them forever",
    parse: integer(0, 36500),
  },
  eventRetentionCount: {
    name: "event-retention-count",
    env: env("event-retention-count"),
    value: "N",
    default: "10000",
    group: "server",
    help: "always keep the newest N events, however old",
    parse: integer(0, 1e12),
  },
  eventRetentionMaxCount: {
    name: "event-retention-max-count",
    env: env("event-retention-max-count"),
    value: "N",
    default: "0",
    shown: "0: no cap",
    group: "server",
    help: "keep at most the newest N events, however young",
    parse: integer(0, 1e12),
  },
  tokensFile: {
    name: "tokens-file",
    env: env("tokens-file"),
    value: "PATH",
    group: "security",
    help: "static bearer tokens, sha256-hashed, with roles; reloaded on change (docs/security.md)",
    parse: text,
  },
  jwksFile: {
    name: "jwks-file",
    env: env("jwks-file"),
    value: "PATH",
    group: "security",
    help: "verify JWT bearer tokens (RS256/ES256/...) with this JWK Set; reloaded on change",
    parse: text,
  },
  jwksUrl: {
    name: "jwks-url",
    env: env("jwks-url"),
    value: "URL",
    group: "security",
    help: "or fetch the JWK Set from the issuer (OIDC jwks_uri)",
    parse: text,
  },
  jwtSecretFile: {
    name: "jwt-secret-file",
    env: env("jwt-secret-file"),
    value: "PATH",
    group: "security",
    help: "also accept HS256 tokens signed with this secret (>= 32 bytes)",
    parse: text,
  },
  jwtIssuer: { name: "jwt-issuer", env: env("jwt-issuer"), value: "ISS", group: "security", help: "required iss of JWTs", parse: text },
  jwtAudience: { name: "jwt-audience", env: env("jwt-audience"), value: "AUD", group: "security", help: "required aud of JWTs", parse: text },
  jwtRolesClaim: {
    name: "jwt-roles-claim",
    env: env("jwt-roles-claim"),
    value: "C",
    shown: "roles",
    group: "security",
    help: "claim holding the roles, may be a dotted path",
    parse: text,
  },
  jwtSubjectClaim: {
    name: "jwt-subject-claim",
    env: env("jwt-subject-claim"),
    value: "C",
    shown: "sub",
    group: "security",
    help: "claim naming the caller (the actor of events), e.g. email",
    parse: text,
  },
  anonymousRole: {
    name: "anonymous-role",
    env: env("anonymous-role"),
    value: "GRANTS",
    shown: "refused",
    group: "security",
    help:
      "what calls without credentials may do when authentication is on, e.g. viewer or viewer:fraud-* (comma-separated " +
      "grants, as in the tokens file); for in-cluster readers that send none, such as KServe's storage initializer (docs/deployment.md)",
    parse: grants,
  },
  protectedAliases: {
    name: "protected-aliases",
    env: env("protected-aliases"),
    value: "A,B",
    default: "production",
    group: "security",
    help: "aliases only approvers may move",
    parse: aliasNames,
  },
  tlsCert: {
    name: "tls-cert",
    env: env("tls-cert"),
    value: "PATH",
    group: "security",
    help: "serve TLS with this certificate chain (PEM)",
    parse: text,
  },
  tlsKey: { name: "tls-key", env: env("tls-key"), value: "PATH", group: "security", help: "and this private key (PEM)", parse: text },
  tlsClientCa: {
    name: "tls-client-ca",
    env: env("tls-client-ca"),
    value: "PATH",
    group: "security",
    help: 'require client certificates signed by this CA; the certificate\'s CN is the caller, with the roles of its "cert" line in the tokens file',
    parse: text,
  },
  insecure: {
    name: "insecure",
    env: env("insecure"),
    default: "off",
    group: "security",
    help: "allow a non-loopback --host without authentication",
    parse: onOff,
  },
  maxRequestBytes: {
    name: "max-request-bytes",
    env: env("max-request-bytes"),
    value: "N",
    default: String(4 * 1024 * 1024),
    group: "security",
    help: "largest request message",
    parse: integer(1024, 1024 * 1024 * 1024),
  },
  maxStreamsPerClient: {
    name: "max-streams-per-client",
    env: env("max-streams-per-client"),
    value: "N",
    default: "100",
    group: "security",
    help: "open Watch streams per caller (or per address without authentication); 0 = unlimited",
    parse: integer(0, 1e6),
  },
  requestTimeoutMs: {
    name: "request-timeout",
    env: ["MODEL_REGISTRY_REQUEST_TIMEOUT_MS"],
    value: "MS",
    default: "30000",
    group: "security",
    help: "deadline of calls whose client sets none; 0 = none",
    parse: integer(0, 86_400_000),
  },
  watchQueueLength: {
    name: "watch-queue-length",
    env: env("watch-queue-length"),
    value: "N",
    default: "1024",
    group: "security",
    help: "events queued per Watch stream before a slow reader switches to reading the event log itself",
    parse: integer(1, 1e6),
  },
  corsAllowedOrigins: {
    name: "cors-allowed-origins",
    env: env("cors-allowed-origins"),
    value: "O,O",
    default: "",
    shown: "none: same-origin only",
    group: "security",
    help:
      "web origins whose browser apps may call the server (CORS, docs/cors.md), exact scheme://host[:port] such as " +
      "https://ui.acme.com,http://localhost:5173; * allows any origin and needs authentication",
    parse: origins,
  },
};

/** The table's entries in order, as plain specs (for the parser, --help and the docs). */
export function flagList(): Array<FlagSpec<unknown> & { key: keyof Settings }> {
  return (Object.keys(FLAGS) as Array<keyof Settings>).map((key) => ({ ...FLAGS[key], key }));
}
