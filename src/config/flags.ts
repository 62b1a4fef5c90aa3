import type { Settings } from "./config.js";
import { env, type FlagSpec, type FlagTable } from "./flag-spec.js";
import { SECURITY_FLAGS } from "./security-flags.js";
import { WEBHOOK_FLAGS } from "./webhook-flags.js";
import { databaseUrl, integer, logLevel, onOff, port, text } from "./values.js";

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
    help:
      "sqlite:PATH (or a plain file path), :memory:, or postgres://USER@HOST:5432/DB (postgresql:// too; docs/postgres.md); " +
      "any other scheme:// (mysql://…) is refused at startup",
    parse: databaseUrl,
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
  ...SECURITY_FLAGS,
  ...WEBHOOK_FLAGS,
};

/** The table's entries in order, as plain specs (for the parser, --help and the docs). */
export function flagList(): Array<FlagSpec<unknown> & { key: keyof Settings }> {
  return (Object.keys(FLAGS) as Array<keyof Settings>).map((key) => ({ ...FLAGS[key], key }));
}
