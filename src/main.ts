import { startApp } from "./app.js";
import { authConfigured } from "./auth/authenticator.js";
import { runTokenCommand } from "./auth/token-command.js";
import { isClientCommand, runClientCommand } from "./cli/run-client-command.js";
import { ConfigError, parseConfig, USAGE } from "./config.js";
import { createLogger } from "./logger.js";
import { createDialect } from "./store/open-store.js";
import { migrateToLatest } from "./store/kysely/migrate.js";

/** The `model-registry` command: serve (default) or migrate. */
async function main(): Promise<number> {
  if (isClientCommand(process.argv[2])) return runClientCommand(process.argv.slice(2), process.env);
  if (process.argv[2] === "token") return runTokenCommand(process.argv.slice(3));
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
  const logger = createLogger(config.logLevel);
  const where = redact(config.database);

  if (config.command === "migrate") {
    const dialect = await createDialect({ database: config.database, poolSize: 1 });
    try {
      const applied = await migrateToLatest(dialect.db);
      process.stdout.write(applied.length ? `applied: ${applied.join(", ")}\n` : "schema is up to date\n");
      return 0;
    } finally {
      await dialect.db.destroy();
    }
  }

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
    limits: {
      maxRequestBytes: config.maxRequestBytes,
      maxStreamsPerClient: config.maxStreamsPerClient,
      requestTimeoutMs: config.requestTimeoutMs,
    },
  });
  logger.info("listening", {
    url: app.server.url,
    grpcPort: app.grpcServer?.port,
    database: where,
    authentication: authConfigured(config.auth) ? "on" : "off",
    tls: config.tls ? (config.tls.clientCa ? "on, client certificates required" : "on") : "off",
  });
  process.stdout.write(`model-registry listening on ${app.server.url} (gRPC, gRPC-Web, Connect) with database ${where}\n`);
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

/** Hides a password in a database URL. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`model-registry: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
