import { setTimeout as sleep } from "node:timers/promises";
import type { RegistryStore, StoreReader } from "../../src/registry/ports/store.js";

/**
 * Makes the store's reads that look up a matching model (getModel / getModelByDisplayName) take
 * `ms` longer, the wait spent outside any transaction so that other calls are served meanwhile:
 * the read is abandoned when it meets the model, then run again after the wait. Returns the undo.
 */
export function slowModelReads(store: RegistryStore, matches: (ref: number | string) => boolean, ms: number): () => void {
  const original = store.read.bind(store);
  const patched: RegistryStore["read"] = async (fn, bounds) => {
    let met = false;
    const watching = (reader: StoreReader): StoreReader =>
      new Proxy(reader, {
        get(target, key) {
          const value = Reflect.get(target, key, target);
          if ((key !== "getModel" && key !== "getModelByDisplayName") || typeof value !== "function") return value;
          return (ref: number | string) => {
            if (matches(ref)) {
              met = true;
              throw new Error("slowModelReads: waiting outside the transaction");
            }
            return value.call(target, ref);
          };
        },
      });
    try {
      return await original((reader) => fn(watching(reader)), bounds);
    } catch (error) {
      if (!met) throw error;
    }
    await sleep(ms);
    return original(fn, bounds);
  };
  store.read = patched;
  return () => {
    store.read = original;
  };
}
