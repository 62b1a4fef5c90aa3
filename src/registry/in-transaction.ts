import type { StoreReader, StoreWriter } from "../store/store.js";
import type { Registry } from "./registry.js";

/**
 * The registry as seen from inside an open write transaction: its reads and writes run on that
 * transaction instead of opening their own. Use cases written as functions over Registry
 * (createExperiment, logMetrics, reportStatus, …) then compose into one atomic change with
 * whatever else the caller writes, each still recording its own events. Store errors are not
 * interpreted here: the outer registry.write does that once.
 */
export function inTransaction(registry: Registry, w: StoreWriter): Registry {
  const scoped = Object.create(registry) as Registry;
  Object.defineProperties(scoped, {
    read: { value: <T>(fn: (r: StoreReader) => Promise<T>) => fn(w) },
    write: { value: <T>(fn: (writer: StoreWriter) => Promise<T>) => fn(w) },
  });
  return scoped;
}
