import { Code, ConnectError } from "@connectrpc/connect";
import type { ConnectRouter } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/health/v1/health_pb.js";

/** Health of one service as reported by the application ("" is the whole server). */
export type HealthStatus = "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";

export type HealthServiceOptions = {
  /** Reports the status of `service`; "" asks for the server as a whole. */
  check: (service: string) => Promise<HealthStatus>;
  /** How often Watch re-runs `check` to detect changes. Default 1000 ms. */
  watchIntervalMs?: number;
  /** Aborted on shutdown: open Watch streams then end with Unavailable. */
  shutdownSignal?: AbortSignal;
};

const toProto: Record<HealthStatus, ServingStatus> = {
  SERVING: ServingStatus.SERVING,
  NOT_SERVING: ServingStatus.NOT_SERVING,
  SERVICE_UNKNOWN: ServingStatus.SERVICE_UNKNOWN,
};

/**
 * Serves grpc.health.v1.Health (Check and Watch; List answers Unimplemented) on a Connect router,
 * since the grpc-health-check package only attaches to a grpc-js Server.
 */
export function registerHealthService(router: ConnectRouter, options: HealthServiceOptions): void {
  const { check, watchIntervalMs = 1000, shutdownSignal } = options;
  router.service(Health, {
    async check(request, ctx) {
      const status = await raceAbort(check(request.service), [ctx.signal]);
      // Per the health protocol, Check fails with NOT_FOUND for an unknown service; only Watch
      // reports SERVICE_UNKNOWN as a status.
      if (status === "SERVICE_UNKNOWN") {
        throw new ConnectError(`unknown service: ${request.service}`, Code.NotFound);
      }
      return { status: toProto[status] };
    },
    async *watch(request, ctx) {
      const signals = shutdownSignal ? [ctx.signal, shutdownSignal] : [ctx.signal];
      try {
        let last = await raceAbort(check(request.service), signals);
        yield { status: toProto[last] };
        for (;;) {
          await raceAbort(delay(watchIntervalMs, signals), signals);
          const status = await raceAbort(check(request.service), signals);
          if (status !== last) {
            last = status;
            yield { status: toProto[status] };
          }
        }
      } catch (err) {
        // A client that went away hears nothing; on shutdown say Unavailable explicitly, since a
        // stream that simply ends reads as OK and health clients would not reconnect promptly.
        // connect-node aborts ctx.signal on shutdown too, so test the shutdown signal first.
        if (shutdownSignal?.aborted) throw new ConnectError("server is shutting down", Code.Unavailable);
        if (ctx.signal.aborted) return;
        throw err;
      }
    },
  });
}

/**
 * Settles with `promise`, or rejects as soon as one of `signals` aborts. A handler awaiting a
 * promise that ignores the signal would otherwise never notice the cancel. Listeners are removed
 * once settled so long-lived signals (shutdown) do not accumulate them.
 */
function raceAbort<T>(promise: Promise<T>, signals: readonly AbortSignal[]): Promise<T> {
  const aborted = signals.find((s) => s.aborted);
  if (aborted) {
    promise.catch(() => {}); // its outcome no longer matters; don't let it become unhandled
    return Promise.reject(ConnectError.from(aborted.reason, Code.Canceled));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (event: Event) => {
      cleanup();
      reject(ConnectError.from((event.target as AbortSignal).reason, Code.Canceled));
    };
    const cleanup = () => {
      for (const s of signals) s.removeEventListener("abort", onAbort);
    };
    for (const s of signals) s.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (err: unknown) => {
        cleanup();
        reject(err);
      },
    );
  });
}

/** Resolves after `ms`, or early (clearing the timer) when a signal aborts, so no timer outlives a stream. */
function delay(ms: number, signals: readonly AbortSignal[]): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signals.some((s) => s.aborted)) return resolve();
    const done = () => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const s of signals) s.addEventListener("abort", done, { once: true });
  });
}
