import type { LogLevel } from "./logger.js";

/** Everything the server is configured with, parsed once from flags and environment. */
export interface Config {
  command: "serve" | "migrate" | "help";
  host: string;
  port: number;
  database: string;
  poolSize: number;
  logLevel: LogLevel;
}

export const DEFAULT_DATABASE = "sqlite:./data/registry.db";

export const USAGE = `usage: model-registry <command> [flags]

commands:
  serve     run the server (default)
  migrate   apply database migrations and exit
  help      print this text

flags (environment variable in brackets):
  --host HOST          address to listen on [MODEL_REGISTRY_HOST] (default 127.0.0.1)
  --port PORT          port for gRPC, gRPC-Web and Connect [MODEL_REGISTRY_PORT, PORT] (default 8080)
  --database URL       sqlite:PATH, :memory: or postgres://USER@HOST:5432/DB [DATABASE_URL]
                       (default ${DEFAULT_DATABASE})
  --pool-size N        Postgres connection pool size [MODEL_REGISTRY_POOL_SIZE] (default 10)
  --log-level LEVEL    debug, info, warn, error or silent [MODEL_REGISTRY_LOG_LEVEL] (default info)
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
    database: flags.get("database") ?? base.database,
    poolSize: int("pool-size", flags.get("pool-size") ?? String(base.poolSize), 1, 1000),
    logLevel: level(flags.get("log-level") ?? base.logLevel),
  };
  for (const key of flags.keys()) {
    if (!["host", "port", "database", "pool-size", "log-level"].includes(key)) throw new ConfigError(`unknown flag --${key}\n\n${USAGE}`);
  }
  return config;
}

function defaults(env: NodeJS.ProcessEnv): Omit<Config, "command"> {
  return {
    host: env.MODEL_REGISTRY_HOST || "127.0.0.1",
    port: int("MODEL_REGISTRY_PORT", env.MODEL_REGISTRY_PORT || env.PORT || "8080", 0, 65535),
    database: env.DATABASE_URL || DEFAULT_DATABASE,
    poolSize: int("MODEL_REGISTRY_POOL_SIZE", env.MODEL_REGISTRY_POOL_SIZE || "10", 1, 1000),
    logLevel: level(env.MODEL_REGISTRY_LOG_LEVEL || "info"),
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
