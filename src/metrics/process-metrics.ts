import { collectDefaultMetrics, Registry } from "prom-client";

let shared: Registry | undefined;

/**
 * prom-client's default process metrics (CPU, memory, heap, event-loop lag, GC, handles,
 * file descriptors), under their standard names (process_*, nodejs_*), so stock Node.js
 * dashboards work. They describe the process, not an app instance, and collecting them starts a
 * GC observer and an event-loop monitor that are never stopped: so one Registry per process,
 * created by the first app that serves metrics and appended to every app's scrape.
 */
export function processRegistry(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
