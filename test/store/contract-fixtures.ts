import { afterAll, beforeAll } from "vitest";
import type { ArtifactInput, ModelInput, VersionInput } from "../../src/registry/core/inputs.js";
import { Registry } from "../../src/registry/shared/registry.js";
import type { CallContext, ListRequest, MetadataValue, Page, RegistryEvent } from "../../src/registry/core/types.js";
import { openStore } from "../../src/store/kysely/open-store.js";
import type { RegistryStore } from "../../src/registry/ports/store.js";
import type { TestDatabase, TestDialect } from "../support/dialects.js";

/** Builders and a per-suite registry for the store contract (test/store/contract.ts). */

export const ctx: CallContext = { actor: "contract-test" };

export const dbl = (value: number): MetadataValue => ({ type: "double", value });
export const int = (value: number | bigint): MetadataValue => ({ type: "int", value: BigInt(value) });
export const str = (value: string): MetadataValue => ({ type: "string", value });
export const bool = (value: boolean): MetadataValue => ({ type: "bool", value });

export function modelInput(displayName: string, extra: Partial<ModelInput> = {}): ModelInput {
  return { displayName, description: "", owner: "", state: undefined, labels: {}, customProperties: {}, readme: "", ...extra };
}

export function versionInput(
  version: string,
  customProperties: VersionInput["customProperties"] = {},
  extra: Partial<VersionInput> = {},
): VersionInput {
  return { version, description: "", author: "", state: undefined, customProperties, ...extra };
}

export function artifactInput(uri: string, extra: Partial<ArtifactInput> = {}): ArtifactInput {
  return {
    displayName: "",
    description: "",
    uri,
    modelFormatName: "",
    modelFormatVersion: "",
    storageKey: "",
    storagePath: "",
    serviceAccountName: "",
    state: undefined,
    digest: "",
    customProperties: {},
    ...extra,
  };
}

export function listRequest(request: Partial<ListRequest> = {}): ListRequest {
  return { pageSize: 0, pageToken: "", filter: "", orderBy: "", showTotalSize: false, ...request };
}

/** Every item of a list, fetched page by page, with the number of pages it took. */
export async function listAll<T>(list: (request: ListRequest) => Promise<Page<T>>, request: Partial<ListRequest> = {}) {
  const items: T[] = [];
  let pageToken = "";
  let pages = 0;
  do {
    const page = await list(listRequest({ ...request, pageToken }));
    items.push(...page.items);
    pageToken = page.nextPageToken;
    if (++pages > 10_000) throw new Error("paging does not end");
  } while (pageToken !== "");
  return { items, pages };
}

/** A registry over a fresh database of the dialect, with a settable clock and a log of committed events. */
export interface ContractRegistry {
  readonly registry: Registry;
  readonly store: RegistryStore;
  /** Events seen by the store's commit listener, in order. */
  readonly committed: RegistryEvent[];
  /** Sets the time the registry stamps on the next writes. */
  at(iso: string): void;
}

/** Opens the store before the suite's tests and closes it (dropping the database) after them. */
export function useRegistry(dialect: TestDialect): ContractRegistry {
  let db: TestDatabase | undefined;
  let store: RegistryStore | undefined;
  let registry: Registry | undefined;
  let clock = Date.parse("2025-01-01T00:00:00Z");
  const committed: RegistryEvent[] = [];
  beforeAll(async () => {
    db = await dialect.create();
    store = await openStore({ database: db.database, schema: db.schema, poolSize: 4 });
    store.onCommit((events) => committed.push(...events));
    registry = new Registry(store, { now: () => new Date(clock) });
  });
  afterAll(async () => {
    await store?.close();
    await db?.cleanup();
  });
  return {
    get registry() {
      if (!registry) throw new Error("registry used outside a test");
      return registry;
    },
    get store() {
      if (!store) throw new Error("store used outside a test");
      return store;
    },
    committed,
    at(iso) {
      clock = Date.parse(iso);
    },
  };
}
