import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { HealthStatus } from "./api/health-service.js";
import { createWatchFrame, type WatchFrame } from "./api/events/event-convert.js";
import { createAuthInterceptor, modelNameLookup } from "./api/shared/auth-interceptor.js";
import { createServerInterceptors } from "./api/shared/interceptors.js";
import { type CallLimits, createLimitsInterceptor, DEFAULT_REQUEST_TIMEOUT_MS } from "./api/shared/limits.js";
import { createInputGuard } from "./api/shared/limits-input.js";
import { type AuthConfig, createAuthenticator } from "./auth/authenticator.js";
import { checkBindPolicy } from "./auth/bind-policy.js";
import { checkCorsOrigins } from "./cors.js";
import { type CallGuard, createCallGuard } from "./auth/call-guard.js";
import { DEFAULT_PROTECTED_ALIASES } from "./auth/permissions.js";
import { createRoutes } from "./api/routes.js";
import { registryServices } from "./api/services.js";
import { type WebhookOptions, webhookSettings } from "./api/webhooks/webhook-settings.js";
import { webhookDelivery } from "./webhook-delivery.js";
import { createKubeflowRestHandler } from "./rest/routes.js";
import type { RunningGrpcServer } from "./grpc/grpc-server.js";
import { DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts } from "./http-timeouts.js";
import type { Logger } from "./logger.js";
import type { AppMetrics } from "./metrics/app-metrics.js";
import type { RunningMetricsServer } from "./metrics/metrics-endpoint.js";
import { Registry } from "./registry/shared/registry.js";
import { type RunningServer, readTlsMaterial, startServer } from "./server.js";
import { openStore } from "./store/kysely/open-store.js";
import type { RegistryStore } from "./registry/ports/store.js";
import { Compactor, DEFAULT_RETENTION, type RetentionPolicy, type WebhookRetention } from "./watch/compactor.js";
import { WatchHub } from "./watch/watch-hub.js";
import { WatchService } from "./watch/watch-service.js";

/** Tuning of the change stream; the defaults suit production, tests shrink them. */
export interface WatchOptions {
  /** Event retention (default: 7 days, and always the newest 10000 events). */
  retention?: RetentionPolicy;
  /** How far webhooks hold events back, and how long delivery attempts are kept (default DEFAULT_WEBHOOK_RETENTION). */
  webhookRetention?: WebhookRetention;
  /** Between compaction runs (default 10 minutes). */
  compactionIntervalMs?: number;
  /** Progress message after this long without output on a stream (default 5000 ms). */
  progressIntervalMs?: number;
  /** Fallback poll of the event log for commits of other replicas (default 1000 ms). */
  pollIntervalMs?: number;
  /** Events queued per subscriber before it switches to catch-up reads (default 1024). */
  queueCapacity?: number;
  /** Rows per event-log read (default 500). */
  pageSize?: number;
  /** Most objects one send_initial streams (default 100000). */
  maxInitialObjects?: number;
}

export interface AppOptions {
  database: string;
  host: string;
  port: number;
  logger: Logger;
  poolSize?: number;
  /** Postgres schema (tests use one per file). */
  schema?: string;
  /** Also serve native gRPC through @grpc/grpc-js on this port (0: any free port). */
  grpcPort?: number;
  /** More services on every port, next to the registry (the benchmark's echo baseline). */
  services?: Array<{ service: DescService; impl: Partial<ServiceImpl<DescService>> }>;
  watch?: WatchOptions;
  /** Credential sources; none: authentication off (then only a loopback host, unless insecure). */
  auth?: AuthConfig;
  /** Aliases only approvers may move (default: production). */
  protectedAliases?: readonly string[];
  /** PEM file paths: serve TLS on every port; clientCa also requires client certificates. */
  tls?: { cert: string; key: string; clientCa?: string };
  /** Serve a non-loopback host without authentication (default false: refuse to start). */
  insecure?: boolean;
  /** Per-client stream limit and default deadline (see CallLimits), and the largest request. */
  limits?: CallLimits & { maxRequestBytes?: number };
  /** Headers, body and idle timeouts of slow or silent clients on every port (default DEFAULT_HTTP_TIMEOUTS). */
  httpTimeouts?: Partial<HttpTimeouts>;
  /**
   * Origins whose browser scripts may call the main port (Connect, gRPC-Web, REST), e.g.
   * ["https://ui.acme.com"]; "*" (alone) only with authentication on. Default: same-origin only.
   */
  corsAllowedOrigins?: readonly string[];
  /** Prometheus metrics at /metrics (docs/metrics.md); default true. */
  metrics?: boolean;
  /**
   * Serve /metrics on this port (0: any free port) instead of the main port, on the same host,
   * with the same TLS and authentication. Needs metrics on.
   */
  metricsPort?: number;
  /** Webhook secrets' key file and destination rules (docs/webhooks.md). */
  webhooks?: WebhookOptions;
}

export interface App {
  server: RunningServer;
  /** The migrations this start applied to the database (empty: it was up to date). */
  migrations: string[];
  /** The native gRPC fast path, when grpcPort was given. */
  grpcServer?: RunningGrpcServer;
  store: RegistryStore;
  registry: Registry;
  /** The change stream: its hub fans committed events out to Watch streams. */
  watch: WatchService<WatchFrame>;
  /** Removes events beyond retention (also callable directly: compactor.runOnce()). */
  compactor: Compactor;
  /** Authentication and authorisation for transports outside the Connect router (the REST gateway). */
  guard: CallGuard;
  /** The metrics (render() gives the /metrics text); absent when metrics are off. */
  metrics?: AppMetrics;
  /** The separate metrics port, when metricsPort was given. */
  metricsServer?: RunningMetricsServer;
  /** Graceful stop: the server drains, then the database closes. */
  close(): Promise<void>;
}

/** Opens the store (migrating it), builds the registry and serves it. */
export async function startApp(options: AppOptions): Promise<App> {
  const { logger } = options;
  // Security configuration fails the start before anything is opened.
  const authenticator = createAuthenticator(options.auth ?? {}, logger);
  checkBindPolicy(options.host, authenticator.enabled, options.insecure ?? false);
  checkCorsOrigins(options.corsAllowedOrigins ?? [], authenticator.enabled);
  const webhooks = webhookSettings(options.webhooks);
  if (options.metrics === false && options.metricsPort !== undefined) throw new Error("metricsPort needs metrics on");
  // Loaded only when on: prom-client takes tens of milliseconds to load.
  const metrics = options.metrics === false ? undefined : new (await import("./metrics/app-metrics.js")).AppMetrics(logger);
  const tls = readTlsMaterial(options.tls);
  let migrations: string[] = [];
  const store = await openStore({
    database: options.database,
    poolSize: options.poolSize,
    schema: options.schema,
    onConnectionError: (error) => logger.warn("database connection lost", { err: error }),
    onMigrated: (applied) => (migrations = applied),
    ...(metrics ? { observer: metrics.store } : {}),
  });
  const registry = new Registry(store);
  const shutdownController = new AbortController();
  const watchOptions = options.watch ?? {};
  const hub = new WatchHub<WatchFrame>({
    registry,
    encode: createWatchFrame,
    logger,
    pollIntervalMs: watchOptions.pollIntervalMs,
    queueCapacity: watchOptions.queueCapacity,
    pageSize: watchOptions.pageSize,
  });
  const compactor = new Compactor({
    registry,
    retention: watchOptions.retention ?? DEFAULT_RETENTION,
    ...(watchOptions.webhookRetention ? { webhooks: watchOptions.webhookRetention } : {}),
    intervalMs: watchOptions.compactionIntervalMs,
    logger,
  });
  const watch = new WatchService(registry, hub, watchOptions);
  /** Stops the change stream (after the server, so streams end with UNAVAILABLE first), then the database. */
  const lookup = modelNameLookup(registry);
  const guard = createCallGuard({
    authenticator,
    policy: { protectedAliases: new Set(options.protectedAliases ?? DEFAULT_PROTECTED_ALIASES) },
    lookup,
  });
  const delivery = webhookDelivery({ registry, settings: webhooks, logger, ownerAccess: guard.ownerAccess, tuning: options.webhooks?.delivery });
  const stopWatchAndStore = async () => {
    await delivery.stop();
    await compactor.stop();
    await hub.close();
    await store.close();
  };
  try {
    await hub.start();
  } catch (error) {
    await stopWatchAndStore();
    throw error;
  }
  compactor.start();
  await delivery.start();
  metrics?.observe({ store, hub, compactor });
  const services = { registry, watch, shutdownSignal: shutdownController.signal, webhooks, guard };
  const routes = createRoutes({ ...services, health: () => databaseHealth(store) });
  const extra = options.services ?? [];
  // Every port runs the same checks: authentication and authorisation, then limits.
  const interceptors = createServerInterceptors(logger, [
    createAuthInterceptor(guard, lookup),
    createLimitsInterceptor(options.limits, shutdownController.signal),
    createInputGuard(),
  ]);
  const readMaxBytes = options.limits?.maxRequestBytes;
  const timeouts: HttpTimeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.httpTimeouts };
  // Kubeflow's REST API (src/rest) on the same port, with the same authentication and permissions.
  const rest = createKubeflowRestHandler({
    registry,
    guard,
    logger,
    health: () => databaseHealth(store),
    requestTimeoutMs: options.limits?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    ...(readMaxBytes !== undefined ? { maxBodyBytes: readMaxBytes } : {}),
    ...(metrics ? { onResponse: metrics.rest } : {}),
  });
  // /metrics: on the main port, before the REST gateway, unless it has a port of its own.
  const endpoint = metrics && (await import("./metrics/metrics-endpoint.js"));
  const metricsRoute = metrics && endpoint && endpoint.createMetricsHandler({ metrics, guard, logger });
  const http: typeof rest =
    metricsRoute && options.metricsPort === undefined ? (req, res, peer) => metricsRoute(req, res, peer) || rest(req, res, peer) : rest;
  let server: RunningServer;
  let grpcServer: RunningGrpcServer | undefined;
  try {
    server = await startServer({
      routes: (router) => {
        routes(router);
        for (const { service, impl } of extra) router.service(service, impl);
      },
      host: options.host,
      port: options.port,
      logger,
      shutdownController,
      interceptors: metrics ? [metrics.interceptor("main"), ...interceptors] : interceptors,
      http,
      corsAllowedOrigins: options.corsAllowedOrigins ?? [],
      timeouts,
      ...(readMaxBytes !== undefined ? { readMaxBytes } : {}),
      ...(tls ? { tls } : {}),
    });
  } catch (error) {
    await stopWatchAndStore();
    throw error;
  }
  if (options.grpcPort !== undefined) {
    try {
      // Loaded only when asked for: the main port does not need @grpc/grpc-js.
      const { startGrpcServer } = await import("./grpc/grpc-server.js");
      grpcServer = await startGrpcServer({
        services: [...registryServices(services), ...extra],
        interceptors: metrics ? [metrics.interceptor("grpc-js"), ...interceptors] : interceptors,
        host: options.host,
        port: options.grpcPort,
        timeouts,
        ...(readMaxBytes !== undefined ? { readMaxBytes } : {}),
        ...(tls ? { tls } : {}),
        logger,
        shutdownSignal: shutdownController.signal,
      });
    } catch (error) {
      await server.close();
      await stopWatchAndStore();
      throw error;
    }
  }
  let metricsServer: RunningMetricsServer | undefined;
  if (endpoint && metricsRoute && options.metricsPort !== undefined) {
    try {
      metricsServer = await endpoint.startMetricsServer({
        handler: metricsRoute,
        host: options.host,
        port: options.metricsPort,
        logger,
        ...(tls ? { tls } : {}),
      });
    } catch (error) {
      await Promise.all([server.close(), grpcServer?.close()]);
      await stopWatchAndStore();
      throw error;
    }
  }
  let closing: Promise<void> | undefined;
  return {
    server,
    migrations,
    ...(grpcServer ? { grpcServer } : {}),
    store,
    registry,
    watch,
    compactor,
    guard,
    ...(metrics ? { metrics } : {}),
    ...(metricsServer ? { metricsServer } : {}),
    close: () =>
      (closing ??= (async () => {
        await Promise.all([server.close(), grpcServer?.close(), metricsServer?.close()]);
        await stopWatchAndStore();
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
