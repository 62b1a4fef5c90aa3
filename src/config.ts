import type { AuthConfig } from "./auth/authenticator.js";
import { parseGrant } from "./auth/identity.js";
import { normaliseOrigin } from "./origin.js";
import { databaseEngine, UnsupportedDatabaseError } from "./database-url.js";
import type { LogLevel } from "./logger.js";

/** Everything the server is configured with, parsed once from flags and environment. */
export interface Config {
  command: "serve" | "migrate" | "help";
  host: string;
  port: number;
  /** Port of the native gRPC fast path (@grpc/grpc-js), or undefined when it is off. */
  grpcPort: number | undefined;
  /** Serve Prometheus metrics at /metrics (docs/metrics.md). */
  metrics: boolean;
  /** Serve /metrics on this port instead of the main one; undefined: on the main port. */
  metricsPort: number | undefined;
  database: string;
  poolSize: number;
  logLevel: LogLevel;
  /** Keep change-stream events at least this many days; 0 keeps them forever. */
  eventRetentionDays: number;
  /** Always keep at least this many of the newest events, however old. */
  eventRetentionCount: number;
  /** Keep at most this many events, however young (0: no cap). */
  eventRetentionMaxCount: number;
  /** Credential sources; authentication is on when any is set (see src/auth). */
  auth: AuthConfig;
  /** Aliases only approvers (aliases.set_protected) may move. */
  protectedAliases: string[];
  /** PEM file paths; TLS is on when cert and key are set. */
  tls: { cert: string; key: string; clientCa?: string } | undefined;
  /** Allow a non-loopback host without authentication. */
  insecure: boolean;
  /** Largest request message in bytes. */
  maxRequestBytes: number;
  /** Open streams (Watch) per client; 0: unlimited. */
  maxStreamsPerClient: number;
  /** Deadline of unary calls that set none, in ms; 0: none. */
  requestTimeoutMs: number;
  /** Slow clients (src/http-timeouts.ts), in ms; 0: off. Request line and headers of a request. */
  headersTimeoutMs: number;
  /** The whole request, body included. */
  bodyTimeoutMs: number;
  /** A connection without a request in flight. */
  idleTimeoutMs: number;
  /** Events queued per Watch stream before it reads from the event log instead. */
  watchQueueLength: number;
  /** Origins (normalised, or just "*") whose browser scripts may call; empty: same-origin only (docs/cors.md). */
  corsAllowedOrigins: string[];
}

export const DEFAULT_DATABASE = "sqlite:./data/registry.db";

export const USAGE = `usage: model-registry <command> [flags]

commands:
  serve     run the server (default)
  migrate   apply database migrations and exit
  help      print this text (help COMMAND: that command's flags)
  --version print the version

client commands (talk to a running server; see model-registry <command> --help):
  models list|get|archive|restore      registered models
  versions list|get|compare|archive|restore
                                       model versions
  register MODEL --version V --uri U   register a model version
  alias set|rm|list                    move and remove aliases
  events                               the audit log
  watch [--model M] [--from REVISION]  print changes as they happen, resuming after disconnects
  token hash [SECRET]                  print the sha256 line of a bearer secret for --tokens-file
                                       (reads the secret from stdin when not given)
  token new SUBJECT ROLES              make a random secret and print it with its tokens-file line

flags (environment variable in brackets):
  --host HOST          address to listen on [MODEL_REGISTRY_HOST] (default 127.0.0.1)
  --port PORT          port for gRPC, gRPC-Web and Connect [MODEL_REGISTRY_PORT, PORT] (default 8080)
  --grpc-port PORT     also serve native gRPC through @grpc/grpc-js on this port, the fast
                       path for gRPC clients [MODEL_REGISTRY_GRPC_PORT] (default off)
  --metrics on|off     Prometheus metrics at /metrics (docs/metrics.md) [MODEL_REGISTRY_METRICS]
                       (default on)
  --metrics-port PORT  serve /metrics on this port instead of the main one, on the same --host,
                       with the same TLS and authentication [MODEL_REGISTRY_METRICS_PORT]
                       (default: on the main port)
  --database URL       sqlite:PATH, :memory: or postgres://USER@HOST:5432/DB [DATABASE_URL]
                       (default ${DEFAULT_DATABASE})
  --pool-size N        Postgres connection pool size [MODEL_REGISTRY_POOL_SIZE] (default 10)
  --log-level LEVEL    debug, info, warn, error or silent [MODEL_REGISTRY_LOG_LEVEL] (default info)
  --event-retention-days N
                       keep events (the audit log, and how far back Watch can resume) at least
                       N days; 0 keeps them forever [MODEL_REGISTRY_EVENT_RETENTION_DAYS] (default 7)
  --event-retention-count N
                       always keep the newest N events, however old
                       [MODEL_REGISTRY_EVENT_RETENTION_COUNT] (default 10000)
  --event-retention-max-count N
                       keep at most the newest N events, however young; 0: no cap
                       [MODEL_REGISTRY_EVENT_RETENTION_MAX_COUNT] (default 0)

security (see README "Security"; authentication is on when any credential source is set):
  --tokens-file PATH   static bearer tokens, sha256-hashed, with roles; reloaded on change
                       [MODEL_REGISTRY_TOKENS_FILE]
  --jwks-file PATH     verify JWT bearer tokens (RS256/ES256/...) with this JWK Set; reloaded on
                       change [MODEL_REGISTRY_JWKS_FILE]
  --jwks-url URL       or fetch the JWK Set from the issuer (OIDC jwks_uri) [MODEL_REGISTRY_JWKS_URL]
  --jwt-secret-file PATH
                       also accept HS256 tokens signed with this secret (>= 32 bytes)
                       [MODEL_REGISTRY_JWT_SECRET_FILE]
  --jwt-issuer ISS     required iss of JWTs [MODEL_REGISTRY_JWT_ISSUER]
  --jwt-audience AUD   required aud of JWTs [MODEL_REGISTRY_JWT_AUDIENCE]
  --jwt-roles-claim C  claim holding the roles, may be a dotted path [MODEL_REGISTRY_JWT_ROLES_CLAIM]
                       (default roles)
  --jwt-subject-claim C
                       claim naming the caller (the actor of events), e.g. email
                       [MODEL_REGISTRY_JWT_SUBJECT_CLAIM] (default sub)
  --anonymous-role GRANTS
                       what calls without credentials may do when authentication is on, e.g.
                       viewer or viewer:fraud-* (comma-separated grants, as in the tokens file);
                       for in-cluster readers that send none, such as KServe's storage
                       initializer; unset: refused [MODEL_REGISTRY_ANONYMOUS_ROLE]
  --protected-aliases A,B
                       aliases only approvers may move [MODEL_REGISTRY_PROTECTED_ALIASES]
                       (default production)
  --tls-cert PATH      serve TLS with this certificate chain (PEM) [MODEL_REGISTRY_TLS_CERT]
  --tls-key PATH       and this private key (PEM) [MODEL_REGISTRY_TLS_KEY]
  --tls-client-ca PATH require client certificates signed by this CA; the certificate's CN is the
                       caller, with the roles of its "cert" line in the tokens file
                       [MODEL_REGISTRY_TLS_CLIENT_CA]
  --insecure           allow a non-loopback --host without authentication [MODEL_REGISTRY_INSECURE=1]
  --max-request-bytes N
                       largest request message [MODEL_REGISTRY_MAX_REQUEST_BYTES] (default 4194304)
  --max-streams-per-client N
                       open Watch streams per caller (or per address without authentication);
                       0 = unlimited [MODEL_REGISTRY_MAX_STREAMS_PER_CLIENT] (default 100)
  --request-timeout MS deadline of calls whose client sets none; 0 = none
                       [MODEL_REGISTRY_REQUEST_TIMEOUT_MS] (default 30000)
  --headers-timeout MS a request's line and headers must arrive within MS of its first byte, and
                       a new connection must show its protocol (or finish TLS) within MS; 0 = off
                       [MODEL_REGISTRY_HEADERS_TIMEOUT_MS] (default 15000)
  --body-timeout MS    the whole request, body included, must arrive within MS (HTTP/1.1: of its
                       first byte; HTTP/2: of its headers); at least --headers-timeout; 0 = off
                       [MODEL_REGISTRY_BODY_TIMEOUT_MS] (default 30000)
  --idle-timeout MS    close a connection with no request in flight (HTTP/1.1 keep-alive, HTTP/2
                       with no open stream; an open Watch is never idle) after MS; 0 = never
                       [MODEL_REGISTRY_IDLE_TIMEOUT_MS] (default 120000)
  --watch-queue-length N
                       events queued per Watch stream before a slow reader switches to reading the
                       event log itself [MODEL_REGISTRY_WATCH_QUEUE_LENGTH] (default 1024)
  --cors-allowed-origins O,O
                       web origins whose browser apps may call the server (CORS), exact
                       scheme://host[:port] such as https://ui.acme.com,http://localhost:5173;
                       * allows any origin and needs authentication
                       [MODEL_REGISTRY_CORS_ALLOWED_ORIGINS] (default none: same-origin only)
`;

/** Flags that take no value. */
const SWITCHES = new Set(["insecure"]);

/** Every flag parseConfig accepts. */
const FLAGS = [
  "host",
  "port",
  "grpc-port",
  "metrics",
  "metrics-port",
  "database",
  "pool-size",
  "log-level",
  "event-retention-days",
  "event-retention-count",
  "event-retention-max-count",
  "tokens-file",
  "jwks-file",
  "jwks-url",
  "jwt-secret-file",
  "jwt-issuer",
  "jwt-audience",
  "jwt-roles-claim",
  "jwt-subject-claim",
  "anonymous-role",
  "protected-aliases",
  "tls-cert",
  "tls-key",
  "tls-client-ca",
  "insecure",
  "max-request-bytes",
  "max-streams-per-client",
  "request-timeout",
  "headers-timeout",
  "body-timeout",
  "idle-timeout",
  "watch-queue-length",
  "cors-allowed-origins",
];

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const args = [...argv];
  let command: Config["command"] = "serve";
  if (args[0] && !args[0].startsWith("-")) {
    const c = args.shift()!;
    if (c !== "serve" && c !== "migrate" && c !== "help") throw new ConfigError(`unknown command "${c}"\n\n${USAGE}`);
    command = c;
  }
  const flags = new Map<string, string>();
  while (args.length > 0) {
    const arg = args.shift()!;
    if (arg === "--help" || arg === "-h") return { ...defaults(env), ...securityConfig(new Map(), {}), command: "help" };
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new ConfigError(`unexpected argument "${arg}"\n\n${USAGE}`);
    const value = m[2] ?? (SWITCHES.has(m[1]!) ? "true" : args.shift());
    if (value === undefined) throw new ConfigError(`--${m[1]} needs a value`);
    flags.set(m[1]!, value);
  }
  const base = defaults(env);
  const config: Config = {
    command,
    host: flags.get("host") ?? base.host,
    port: int("port", flags.get("port") ?? String(base.port), 0, 65535),
    grpcPort: flags.has("grpc-port") ? int("grpc-port", flags.get("grpc-port")!, 0, 65535) : base.grpcPort,
    metrics: flags.has("metrics") ? onOff("--metrics", flags.get("metrics")!) : base.metrics,
    metricsPort: flags.has("metrics-port") ? int("--metrics-port", flags.get("metrics-port")!, 0, 65535) : base.metricsPort,
    database: flags.get("database") ?? base.database,
    poolSize: int("pool-size", flags.get("pool-size") ?? String(base.poolSize), 1, 1000),
    logLevel: level(flags.get("log-level") ?? base.logLevel),
    eventRetentionDays: int("event-retention-days", flags.get("event-retention-days") ?? String(base.eventRetentionDays), 0, 36500),
    eventRetentionCount: int("event-retention-count", flags.get("event-retention-count") ?? String(base.eventRetentionCount), 0, 1e12),
    eventRetentionMaxCount: int(
      "event-retention-max-count",
      flags.get("event-retention-max-count") ?? String(base.eventRetentionMaxCount),
      0,
      1e12,
    ),
    ...securityConfig(flags, env),
  };
  if (config.eventRetentionMaxCount > 0 && config.eventRetentionMaxCount < config.eventRetentionCount) {
    throw new ConfigError(
      `event-retention-max-count (${config.eventRetentionMaxCount}) is below event-retention-count (${config.eventRetentionCount}): ` +
        "the newest events cannot be both kept and removed; lower event-retention-count too",
    );
  }
  for (const key of flags.keys()) {
    if (!FLAGS.includes(key)) throw new ConfigError(`unknown flag --${key}\n\n${USAGE}`);
  }
  checkMetricsPort(config);
  checkDatabase(flags.has("database") ? "--database" : "DATABASE_URL", config.database);
  return config;
}

type SecurityConfig = Pick<
  Config,
  "auth" | "protectedAliases" | "tls" | "insecure" | "maxRequestBytes" | "maxStreamsPerClient" | "requestTimeoutMs" | "watchQueueLength" | "corsAllowedOrigins"
  | "headersTimeoutMs" | "bodyTimeoutMs" | "idleTimeoutMs"
>;

/** The security and limit settings: each flag, else its MODEL_REGISTRY_* variable, else the default. */
function securityConfig(flags: Map<string, string>, env: NodeJS.ProcessEnv): SecurityConfig {
  const get = (flag: string) => flags.get(flag) ?? (env[`MODEL_REGISTRY_${flag.toUpperCase().replaceAll("-", "_")}`] || undefined);
  const number = (flag: string, envName: string, fallback: number, min: number, max: number) =>
    int(flags.has(flag) ? `--${flag}` : envName, flags.get(flag) ?? (env[envName] || String(fallback)), min, max);
  const auth: AuthConfig = {};
  const set = <K extends keyof AuthConfig>(key: K, flag: string) => {
    const value = get(flag);
    if (value !== undefined) auth[key] = value as AuthConfig[K];
  };
  set("tokensFile", "tokens-file");
  set("jwksFile", "jwks-file");
  set("jwksUrl", "jwks-url");
  set("jwtSecretFile", "jwt-secret-file");
  set("jwtIssuer", "jwt-issuer");
  set("jwtAudience", "jwt-audience");
  set("jwtRolesClaim", "jwt-roles-claim");
  set("jwtSubjectClaim", "jwt-subject-claim");
  const anonymousRole = get("anonymous-role");
  if (anonymousRole !== undefined) {
    const grants = anonymousRole.split(",").map((g) => g.trim()).filter((g) => g !== "");
    for (const grant of grants) {
      try {
        parseGrant(grant);
      } catch (error) {
        throw new ConfigError(`--anonymous-role: ${(error as Error).message}`);
      }
    }
    auth.anonymousGrants = grants;
  }
  if (auth.jwksFile && auth.jwksUrl) throw new ConfigError("set one of --jwks-file and --jwks-url");
  const cert = get("tls-cert");
  const key = get("tls-key");
  const clientCa = get("tls-client-ca");
  if ((cert === undefined) !== (key === undefined)) throw new ConfigError("--tls-cert and --tls-key go together");
  if (clientCa !== undefined && cert === undefined) throw new ConfigError("--tls-client-ca needs --tls-cert and --tls-key");
  if (clientCa !== undefined) auth.clientCertificates = true;
  const aliases = (get("protected-aliases") ?? "production").split(",").map((a) => a.trim()).filter((a) => a !== "");
  for (const alias of aliases) {
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(alias)) throw new ConfigError(`--protected-aliases: "${alias}" is not an alias name`);
  }
  const insecure = get("insecure");
  return {
    auth,
    protectedAliases: aliases,
    tls: cert !== undefined && key !== undefined ? { cert, key, ...(clientCa !== undefined ? { clientCa } : {}) } : undefined,
    insecure: insecure === "true" || insecure === "1",
    maxRequestBytes: number("max-request-bytes", "MODEL_REGISTRY_MAX_REQUEST_BYTES", 4 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxStreamsPerClient: number("max-streams-per-client", "MODEL_REGISTRY_MAX_STREAMS_PER_CLIENT", 100, 0, 1e6),
    requestTimeoutMs: number("request-timeout", "MODEL_REGISTRY_REQUEST_TIMEOUT_MS", 30_000, 0, 86_400_000),
    ...httpTimeouts(number),
    watchQueueLength: number("watch-queue-length", "MODEL_REGISTRY_WATCH_QUEUE_LENGTH", 1024, 1, 1e6),
    corsAllowedOrigins: corsOrigins(
      flags.has("cors-allowed-origins") ? "--cors-allowed-origins" : "MODEL_REGISTRY_CORS_ALLOWED_ORIGINS",
      get("cors-allowed-origins") ?? "",
    ),
  };
}

/** The slow-client timeouts (src/http-timeouts.ts); the body timeout counts the headers in, so it is not below theirs. */
function httpTimeouts(number: (flag: string, envName: string, fallback: number, min: number, max: number) => number) {
  const headersTimeoutMs = number("headers-timeout", "MODEL_REGISTRY_HEADERS_TIMEOUT_MS", 15_000, 0, 86_400_000);
  const bodyTimeoutMs = number("body-timeout", "MODEL_REGISTRY_BODY_TIMEOUT_MS", 30_000, 0, 86_400_000);
  const idleTimeoutMs = number("idle-timeout", "MODEL_REGISTRY_IDLE_TIMEOUT_MS", 120_000, 0, 86_400_000);
  if (bodyTimeoutMs > 0 && bodyTimeoutMs < headersTimeoutMs) {
    throw new ConfigError(`--body-timeout (${bodyTimeoutMs}) is below --headers-timeout (${headersTimeoutMs}): the body timeout counts the headers in`);
  }
  return { headersTimeoutMs, bodyTimeoutMs, idleTimeoutMs };
}

/**
 * The comma-separated CORS allow-list, each entry normalised to the form browsers send in Origin
 * (lower-case scheme and host, no default port). Whether "*" may be served (only with
 * authentication) is checked by startApp, with the bind policy.
 */
function corsOrigins(name: string, value: string): string[] {
  const entries = value.split(",").map((o) => o.trim()).filter((o) => o !== "");
  if (entries.includes("*")) {
    if (entries.length > 1) throw new ConfigError(`${name}: "*" allows every origin and stands alone`);
    return ["*"];
  }
  const origins = entries.map((entry) => {
    const origin = normaliseOrigin(entry);
    if (origin === undefined) {
      throw new ConfigError(
        `${name}: "${entry}" is not an origin: write scheme://host[:port] (http or https) with no path, ` +
          "not even a trailing /, e.g. https://ui.acme.com or http://localhost:5173",
      );
    }
    return origin;
  });
  return [...new Set(origins)];
}

function defaults(env: NodeJS.ProcessEnv): Omit<Config, "command" | keyof SecurityConfig> {
  return {
    host: env.MODEL_REGISTRY_HOST || "127.0.0.1",
    port: int("MODEL_REGISTRY_PORT", env.MODEL_REGISTRY_PORT || env.PORT || "8080", 0, 65535),
    grpcPort: env.MODEL_REGISTRY_GRPC_PORT ? int("MODEL_REGISTRY_GRPC_PORT", env.MODEL_REGISTRY_GRPC_PORT, 0, 65535) : undefined,
    metrics: onOff("MODEL_REGISTRY_METRICS", env.MODEL_REGISTRY_METRICS || "on"),
    metricsPort: env.MODEL_REGISTRY_METRICS_PORT ? int("MODEL_REGISTRY_METRICS_PORT", env.MODEL_REGISTRY_METRICS_PORT, 0, 65535) : undefined,
    database: env.DATABASE_URL || DEFAULT_DATABASE,
    poolSize: int("MODEL_REGISTRY_POOL_SIZE", env.MODEL_REGISTRY_POOL_SIZE || "10", 1, 1000),
    logLevel: level(env.MODEL_REGISTRY_LOG_LEVEL || "info"),
    eventRetentionDays: int("MODEL_REGISTRY_EVENT_RETENTION_DAYS", env.MODEL_REGISTRY_EVENT_RETENTION_DAYS || "7", 0, 36500),
    eventRetentionCount: int("MODEL_REGISTRY_EVENT_RETENTION_COUNT", env.MODEL_REGISTRY_EVENT_RETENTION_COUNT || "10000", 0, 1e12),
    eventRetentionMaxCount: int("MODEL_REGISTRY_EVENT_RETENTION_MAX_COUNT", env.MODEL_REGISTRY_EVENT_RETENTION_MAX_COUNT || "0", 0, 1e12),
  };
}

function int(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** on/off (also true/false, 1/0). */
function onOff(name: string, value: string): boolean {
  if (["on", "true", "1"].includes(value)) return true;
  if (["off", "false", "0"].includes(value)) return false;
  throw new ConfigError(`${name} must be on or off, not "${value}"`);
}

/** A metrics port needs metrics on, and a port of its own. */
function checkMetricsPort(config: Config): void {
  const port = config.metricsPort;
  if (port === undefined) return;
  if (!config.metrics) throw new ConfigError("--metrics-port serves metrics, but metrics are off (--metrics off): drop one of them");
  if (port !== 0 && port === config.port) throw new ConfigError(`--metrics-port ${port} is the main port: leave it unset to serve /metrics there`);
  if (port !== 0 && port === config.grpcPort) throw new ConfigError(`--metrics-port ${port} is also the --grpc-port`);
}

/** A database URL of an engine the server has (refused here, before anything starts). */
function checkDatabase(name: string, url: string): void {
  try {
    databaseEngine(url);
  } catch (error) {
    if (error instanceof UnsupportedDatabaseError) throw new ConfigError(`${name}: ${error.message}`);
    throw error;
  }
}

function level(value: string): LogLevel {
  if (!["debug", "info", "warn", "error", "silent"].includes(value)) throw new ConfigError(`unknown log level "${value}"`);
  return value as LogLevel;
}
