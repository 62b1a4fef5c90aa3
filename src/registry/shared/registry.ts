import { currentCallBounds } from "./call-scope.js";
import { interpretStoreError } from "./store-errors.js";
import type { CallContext, EventType, Resource } from "../core/types.js";
import type { RegistryStore, StoreReader, StoreWriter } from "../ports/store.js";
import { modelIdOf, resourceNameOf } from "../core/resource-names.js";

export interface RegistryOptions {
  now?: () => Date;
}

/**
 * What the use cases reach through a Registry: the store, the clock, reads and writes within the
 * current call's bounds (call-scope.ts) with store errors interpreted, and event recording. Only
 * the domain asks for it (`unitOf`); the architecture test keeps it out of the transports.
 */
export interface RegistryUnit {
  readonly store: RegistryStore;
  readonly now: () => Date;
  read<T>(fn: (r: StoreReader) => Promise<T>): Promise<T>;
  write<T>(fn: (w: StoreWriter) => Promise<T>): Promise<T>;
  /** A read outside any call's bounds (the watch hub reads for every subscriber), store errors interpreted. */
  readOutsideCall<T>(fn: (r: StoreReader) => Promise<T>): Promise<T>;
  /** A write outside any call's bounds (compaction), store errors interpreted. */
  writeOutsideCall<T>(fn: (w: StoreWriter) => Promise<T>): Promise<T>;
  /** Records an event for a change whose revision was allocated last. */
  record(w: StoreWriter, type: EventType, resource: Resource, previous: Resource | null, ctx: CallContext): void;
}

/** Runs a store operation, its failures as the domain's errors. */
async function interpreted<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw interpretStoreError(error);
  }
}

function unitOver(store: RegistryStore, now: () => Date): RegistryUnit {
  return {
    store,
    now,
    read: (fn) => interpreted(() => store.read(fn, currentCallBounds())),
    write: (fn) => interpreted(() => store.write(fn, currentCallBounds())),
    readOutsideCall: (fn) => interpreted(() => store.read(fn)),
    writeOutsideCall: (fn) => interpreted(() => store.write(fn)),
    record(w, type, resource, previous, ctx) {
      const value = resource.value;
      w.appendEvent({
        revision: value.revision,
        type,
        resourceName: resourceNameOf(resource),
        modelId: modelIdOf(resource),
        actor: ctx.actor,
        reason: ctx.reason ?? "",
        time: value.updateTime,
        resource,
        previous,
      });
    },
  };
}

let reach: (registry: Registry) => RegistryUnit;
let rebind: (registry: Registry, unit: RegistryUnit) => Registry;

/**
 * The domain's entry object: what the transports hold and hand to use cases (functions of
 * src/registry/<resource>/ that take it first). It exposes nothing: the store, reads, writes and
 * event recording stay inside the domain, so no handler can skip a rule by writing directly.
 */
export class Registry {
  #unit: RegistryUnit;

  constructor(store: RegistryStore, options: RegistryOptions = {}) {
    this.#unit = unitOver(store, options.now ?? (() => new Date()));
  }

  static {
    reach = (registry) => registry.#unit;
    rebind = (registry, unit) => {
      const scoped = new Registry(registry.#unit.store);
      scoped.#unit = unit;
      return scoped;
    };
  }
}

/** The unit behind a registry: for use cases only (the architecture test refuses it elsewhere). */
export function unitOf(registry: Registry): RegistryUnit {
  return reach(registry);
}

/**
 * The registry as seen from inside an open write transaction: its reads and writes run on that
 * transaction instead of opening their own. Use cases written as functions over Registry
 * (createExperiment, logMetrics, reportStatus, …) then compose into one atomic change with
 * whatever else the caller writes, each still recording its own events. Store errors are not
 * interpreted here: the outer write does that once.
 */
export function inTransaction(registry: Registry, w: StoreWriter): Registry {
  const unit = reach(registry);
  return rebind(registry, { ...unit, read: (fn) => fn(w), write: (fn) => fn(w) });
}
