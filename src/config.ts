import type { LogLevel } from "./logger.js";

/** Everything the server is configured with, parsed once from flags and environment. */
export interface Config {
  command: "serve" | "migrate" | "help";
  host: string;
  port: number;
  /** Port of the native gRPC fast path (@grpc/grpc-js), or undefined when it is off. */
  grpcPort: number | undefined;
  database: string;
  poolSize: number;
  logLevel: LogLevel;
  /** Keep change-stream events at least this many days; 0 keeps them forever. */
  eventRetentionDays: number;
  /** Always keep at least this many of the newest events, however old. */
  eventRetentionCount: number;
}

export const DEFAULT_DATABASE = "sqlite:./data/registry.db";

export const USAGE = `usage: model-registry <command> [flags]

commands:
  serve     run the server (default)
  migrate   apply database migrations and exit
  help      print this text

client commands (talk to a running server; see model-registry <command> --help):
  models list|get|archive|restore      registered models
  versions list|get|compare            model versions
  register MODEL --version V --uri U   register a model version
  alias set|rm|list                    move and remove aliases
  events                               the audit log
  watch [--model M] [--from REVISION]  print changes as they happen, resuming after disconnects

flags (environment variable in brackets):
  --host HOST          address to listen on [MODEL_REGISTRY_HOST] (default 127.0.0.1)
  --port PORT          port for gRPC, gRPC-Web and Connect [MODEL_REGISTRY_PORT, PORT] (default 8080)
  --grpc-port PORT     also serve native gRPC through @grpc/grpc-js on this port, the fast
                       path for gRPC clients [MODEL_REGISTRY_GRPC_PORT] (default off)
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
`;

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
    if (arg === "--help" || arg === "-h") return { ...defaults(env), command: "help" };
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new ConfigError(`unexpected argument "${arg}"\n\n${USAGE}`);
    const value = m[2] ?? args.shift();
    if (value === undefined) throw new ConfigError(`--${m[1]} needs a value`);
    flags.set(m[1]!, value);
  }
  const base = defaults(env);
  const config: Config = {
    command,
    host: flags.get("host") ?? base.host,
    port: int("port", flags.get("port") ?? String(base.port), 0, 65535),
    grpcPort: flags.has("grpc-port") ? int("grpc-port", flags.get("grpc-port")!, 0, 65535) : base.grpcPort,
    database: flags.get("database") ?? base.database,
    poolSize: int("pool-size", flags.get("pool-size") ?? String(base.poolSize), 1, 1000),
    logLevel: level(flags.get("log-level") ?? base.logLevel),
    eventRetentionDays: int("event-retention-days", flags.get("event-retention-days") ?? String(base.eventRetentionDays), 0, 36500),
    eventRetentionCount: int("event-retention-count", flags.get("event-retention-count") ?? String(base.eventRetentionCount), 0, 1e12),
  };
  for (const key of flags.keys()) {
    if (!["host", "port", "grpc-port", "database", "pool-size", "log-level", "event-retention-days", "event-retention-count"].includes(key)) throw new ConfigError(`unknown flag --${key}\n\n${USAGE}`);
  }
  return config;
}

function defaults(env: NodeJS.ProcessEnv): Omit<Config, "command"> {
  return {
    host: env.MODEL_REGISTRY_HOST || "127.0.0.1",
    port: int("MODEL_REGISTRY_PORT", env.MODEL_REGISTRY_PORT || env.PORT || "8080", 0, 65535),
    grpcPort: env.MODEL_REGISTRY_GRPC_PORT ? int("MODEL_REGISTRY_GRPC_PORT", env.MODEL_REGISTRY_GRPC_PORT, 0, 65535) : undefined,
    database: env.DATABASE_URL || DEFAULT_DATABASE,
    poolSize: int("MODEL_REGISTRY_POOL_SIZE", env.MODEL_REGISTRY_POOL_SIZE || "10", 1, 1000),
    logLevel: level(env.MODEL_REGISTRY_LOG_LEVEL || "info"),
    eventRetentionDays: int("MODEL_REGISTRY_EVENT_RETENTION_DAYS", env.MODEL_REGISTRY_EVENT_RETENTION_DAYS || "7", 0, 36500),
    eventRetentionCount: int("MODEL_REGISTRY_EVENT_RETENTION_COUNT", env.MODEL_REGISTRY_EVENT_RETENTION_COUNT || "10000", 0, 1e12),
  };
}

function int(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

function level(value: string): LogLevel {
  if (!["debug", "info", "warn", "error", "silent"].includes(value)) throw new ConfigError(`unknown log level "${value}"`);
  return value as LogLevel;
}
