#!/usr/bin/env node
import { isClientCommand } from "./cli/client-command-names.js";
import { ConfigError, parseConfig, USAGE } from "./config.js";

/**
 * The `model-registry` command: serve (default), migrate, help, the token helpers and the client
 * commands. Each path imports only what it runs: a client command or `--help` never loads the
 * server, the database drivers or @grpc/grpc-js, so it starts in a fraction of the server's time.
 */
async function main(): Promise<number> {
  if (isClientCommand(process.argv[2])) {
    const { runClientCommand } = await import("./cli/run-client-command.js");
    return runClientCommand(process.argv.slice(2), process.env);
  }
  if (process.argv[2] === "token") {
    const { runTokenCommand } = await import("./auth/token-command.js");
    return runTokenCommand(process.argv.slice(3));
  }
  let config;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (config.command === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const [{ createLogger }, { createDialect, describeDatabase }] = await Promise.all([import("./logger.js"), import("./store/open-store.js")]);
  const logger = createLogger(config.logLevel);
  const where = describeDatabase(config.database);

  if (config.command === "migrate") {
    const { migrateToLatest } = await import("./store/kysely/migrate.js");
    const dialect = await createDialect({ database: config.database, poolSize: 1 });
    try {
      const applied = await migrateToLatest(dialect.db);
      process.stdout.write(applied.length ? `applied: ${applied.join(", ")}\n` : "schema is up to date\n");
      return 0;
    } finally {
      await dialect.db.destroy();
    }
  }

  const [{ startApp }, { authConfigured }] = await Promise.all([import("./app.js"), import("./auth/authenticator.js")]);
  const app = await startApp({
    database: config.database,
    host: config.host,
    port: config.port,
    grpcPort: config.grpcPort,
    poolSize: config.poolSize,
    logger,
    watch: {
      retention: {
        maxAgeMs: config.eventRetentionDays * 86_400_000,
        minEvents: config.eventRetentionCount,
        maxEvents: config.eventRetentionMaxCount,
      },
      queueCapacity: config.watchQueueLength,
    },
    auth: config.auth,
    protectedAliases: config.protectedAliases,
    ...(config.tls ? { tls: config.tls } : {}),
    insecure: config.insecure,
    corsAllowedOrigins: config.corsAllowedOrigins,
    limits: {
      maxRequestBytes: config.maxRequestBytes,
      maxStreamsPerClient: config.maxStreamsPerClient,
      requestTimeoutMs: config.requestTimeoutMs,
    },
  });
  const migrations = app.migrations.length > 0 ? `applied migrations ${app.migrations.join(", ")}` : "schema up to date";
  logger.info("listening", {
    url: app.server.url,
    protocols: PROTOCOLS,
    grpcPort: app.grpcServer?.port,
    database: where,
    migrationsApplied: app.migrations,
    authentication: authConfigured(config.auth) ? "on" : "off",
    tls: config.tls ? (config.tls.clientCa ? "on, client certificates required" : "on") : "off",
  });
  process.stdout.write(`model-registry listening on ${app.server.url} (${PROTOCOLS.join(", ")}) with database ${where}; ${migrations}\n`);
  if (app.grpcServer) process.stdout.write(`native gRPC (grpc-js) on ${config.host}:${app.grpcServer.port}\n`);

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info("shutting down", { signal });
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await app.close();
  logger.info("stopped");
  return 0;
}

/** What the main port speaks, all on one port (src/server.ts, src/rest). */
const PROTOCOLS = ["gRPC", "gRPC-Web", "Connect", "Kubeflow REST v1alpha3"];

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`model-registry: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
