import type { HealthStatus } from "./api/health-service.js";
import { createRoutes } from "./api/routes.js";
import type { Logger } from "./logger.js";
import { Registry } from "./registry/registry.js";
import { type RunningServer, startServer } from "./server.js";
import { openStore } from "./store/open-store.js";
import type { RegistryStore } from "./store/store.js";

export interface AppOptions {
  database: string;
  host: string;
  port: number;
  logger: Logger;
  poolSize?: number;
  /** Postgres schema (tests use one per file). */
  schema?: string;
}

export interface App {
  server: RunningServer;
  store: RegistryStore;
  registry: Registry;
  /** Graceful stop: the server drains, then the database closes. */
  close(): Promise<void>;
}

/** Opens the store (migrating it), builds the registry and serves it. */
export async function startApp(options: AppOptions): Promise<App> {
  const { logger } = options;
  const store = await openStore({
    database: options.database,
    poolSize: options.poolSize,
    schema: options.schema,
    onConnectionError: (error) => logger.warn("database connection lost", { err: error }),
  });
  const registry = new Registry(store);
  const shutdownController = new AbortController();
  let server: RunningServer;
  try {
    server = await startServer({
      routes: createRoutes({ registry, health: () => databaseHealth(store), shutdownSignal: shutdownController.signal }),
      host: options.host,
      port: options.port,
      logger,
      shutdownController,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    server,
    store,
    registry,
    close: () =>
      (closing ??= (async () => {
        await server.close();
        await store.close();
      })()),
  };
}

/** SERVING while the database answers within a second. */
async function databaseHealth(store: RegistryStore): Promise<HealthStatus> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      store.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("database ping timed out")), 1000);
      }),
    ]);
    return "SERVING";
  } catch {
    return "NOT_SERVING";
  } finally {
    clearTimeout(timer);
  }
}
