#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { CLIENT_COMMAND_NAMES, isClientCommand, isOperationCommand, OPERATION_COMMAND_NAMES } from "./cli/client-command-names.js";
import { type Config, ConfigError } from "./config/config.js";
import { flagList } from "./config/flags.js";
import { parseConfig } from "./config/parse-config.js";
import { USAGE } from "./config/usage.js";

/**
 * The `model-registry` command: serve (default), migrate, help, the token helpers and the client
 * commands. Each path imports only what it runs: a client command or `--help` never loads the
 * server, the database drivers or @grpc/grpc-js, so it starts in a fraction of the server's time.
 */
async function main(): Promise<number> {
  const [first, second] = process.argv.slice(2);
  if (first === "--version") {
    process.stdout.write(`model-registry ${packageVersion()}\n`);
    return 0;
  }
  // `help models` is `models --help` (and `help token` is `token --help`).
  const clientCommand = first === "help" && isClientCommand(second) ? [second, "--help"] : isClientCommand(first) ? process.argv.slice(2) : undefined;
  if (clientCommand) {
    const { runClientCommand } = await import("./cli/run-client-command.js");
    return runClientCommand(clientCommand, process.env);
  }
  const operation =
    first === "help" && isOperationCommand(second) ? [second, "--help"] : isOperationCommand(first) ? process.argv.slice(2) : undefined;
  if (operation) {
    const { runOperationCommand } = await import("./cli/run-operation-command.js");
    return runOperationCommand(operation, process.env);
  }
  if (first === "token" || (first === "help" && second === "token")) {
    const { runTokenCommand } = await import("./auth/token-command.js");
    return runTokenCommand(first === "token" ? process.argv.slice(3) : ["--help"]);
  }
  if (first !== undefined && !first.startsWith("-") && !COMMANDS.includes(first)) {
    process.stderr.write(`model-registry: unknown command "${first}"; ${await didYouMean(first, COMMANDS, (c) => `"${c}"`, "the commands")}\n`);
    return 2;
  }
  let config: Config;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      // An unknown flag gets one line with a suggestion instead of the whole usage.
      // (parseConfig reads a flag's value before it checks the name: `--hepl` at the end "needs a value".)
      const named = /^unknown flag --([a-z-]+)\n/.exec(error.message)?.[1] ?? /^--([a-z-]+) needs a value$/.exec(error.message)?.[1];
      const flag = named !== undefined && !SERVER_FLAGS.includes(named) ? named : undefined;
      const text =
        flag === undefined
          ? error.message
          : `model-registry: unknown flag --${flag}; ${await didYouMean(flag, SERVER_FLAGS, (f) => `--${f}`, "the flags")}`;
      process.stderr.write(`${text}\n`);
      return 2;
    }
    throw error;
  }
  if (config.command === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const [{ createLogger }, { createDialect, describeDatabase }] = await Promise.all([import("./logger.js"), import("./store/kysely/open-store.js")]);
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

  // Listen for SIGINT/SIGTERM before anything is announced: Node installs a signal handler only when
  // a listener is added, so a signal that came between the "listening" line and the listener would
  // kill the server outright (a supervisor reacting to that line, or a fast test, saw exit by signal).
  // One that comes while the server is still starting (migrating, waiting for the database) ends the
  // process at once, as the default action would: there is nothing to drain yet.
  let started = false;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      if (!started) {
        logger.info("stopped before the server started", { signal });
        process.exit(signal === "SIGINT" ? 130 : 143);
      }
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
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
      webhookRetention: {
        maxLagEvents: config.webhookMaxLagEvents,
        deliveryRetentionMs: config.webhookDeliveryRetentionDays * 86_400_000,
      },
      queueCapacity: config.watchQueueLength,
    },
    auth: config.auth,
    protectedAliases: config.protectedAliases,
    ...(config.tls ? { tls: config.tls } : {}),
    insecure: config.insecure,
    corsAllowedOrigins: config.corsAllowedOrigins,
    metrics: config.metrics,
    ...(config.metricsPort !== undefined ? { metricsPort: config.metricsPort } : {}),
    limits: {
      maxRequestBytes: config.maxRequestBytes,
      maxStreamsPerClient: config.maxStreamsPerClient,
      requestTimeoutMs: config.requestTimeoutMs,
    },
    httpTimeouts: { headersMs: config.headersTimeoutMs, bodyMs: config.bodyTimeoutMs, idleMs: config.idleTimeoutMs },
    webhooks: {
      ...(config.webhookKeyFile !== undefined ? { keyFile: config.webhookKeyFile } : {}),
      allowHttp: config.webhookAllowHttp,
      allowedNetworks: config.webhookAllowedNetworks,
      delivery: config.webhookDelivery,
    },
  });
  started = true;
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
  if (app.metricsServer) process.stdout.write(`metrics on ${app.metricsServer.url}/metrics\n`);

  logger.info("shutting down", { signal: await stopSignal });
  await app.close();
  logger.info("stopped");
  return 0;
}

/** Every command: the server's and the client commands. */
const COMMANDS: readonly string[] = ["serve", "migrate", "help", "token", ...CLIENT_COMMAND_NAMES, ...OPERATION_COMMAND_NAMES];

/** The server's flags, from the table USAGE is made of, and the help and version flags. */
const SERVER_FLAGS = [...flagList().map((flag) => flag.name), "help", "version"];

/** `did you mean "models"?`, or where to look when nothing is close. Loaded only on this error path. */
async function didYouMean(word: string, candidates: readonly string[], show: (name: string) => string, what: string): Promise<string> {
  const { suggestName } = await import("./did-you-mean.js");
  const guess = suggestName(word, candidates);
  return guess !== undefined ? `did you mean ${show(guess)}?` : `run "model-registry --help" for ${what}`;
}

/**
 * The version in package.json, found from this file: the package root is one directory up from
 * src/main.ts (run through tsx) and two up from dist/src/main.js (the build, and the installed bin).
 */
function packageVersion(): string {
  for (const path of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "model-registry" && pkg.version) return pkg.version;
    } catch {
      // Not at this level: try the next.
    }
  }
  return "unknown";
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
