import type { ListQuery, ListResult, StoreReader } from "../ports/store.js";
import { InvalidArgumentError } from "../core/errors.js";
import { parseFilter } from "../filter/parser.js";
import type { ListSpec } from "./list-specs.js";
import { parseOrderBy } from "./order-by.js";
import { decodePageToken, encodePageToken, queryDigest } from "./page-token.js";
import type { ListRequest, Page } from "../core/types.js";
import type { Registry } from "./registry.js";
import { findModel } from "./find.js";
import { modelName } from "../core/names.js";
import { unitOf } from "./registry.js";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** A validated list request: the store query and what its page token is bound to. */
export interface PreparedList {
  query: ListQuery;
  digest: string;
  key: Buffer;
}

/**
 * Validates page_size, filter, order_by and page_token of a list. The default order is
 * create_time (then id), which keeps paging stable while items are added.
 */
export function prepareList(request: ListRequest, spec: ListSpec, key: Buffer, parent = ""): PreparedList {
  if (!Number.isInteger(request.pageSize) || request.pageSize < 0) {
    throw InvalidArgumentError.field("page_size", "must not be negative", "INVALID_PAGE_SIZE");
  }
  const limit = request.pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
  const filter = parseFilter(request.filter, spec.filter, { hints: request.filterHints === true });
  const sort = parseOrderBy(request.orderBy, spec.sort);
  if (sort.length === 0) sort.push({ kind: "column", column: "create_time", desc: false });
  const digest = queryDigest(parent, request.filter, request.orderBy);
  const after = request.pageToken === "" ? null : decodePageToken(key, digest, request.pageToken);
  return { query: { filter, sort, after, limit, withTotal: request.showTotalSize }, digest, key };
}

/** The API page of a store result. */
export function toPage<T, U>(prepared: PreparedList, result: ListResult<T>, revision: number, map: (t: T) => U): Page<U> {
  return {
    items: result.items.map(map),
    nextPageToken: result.next ? encodePageToken(prepared.key, prepared.digest, result.next) : "",
    revision,
    ...(result.total !== undefined ? { totalSize: result.total } : {}),
  };
}

/**
 * One page of a model's children (`collection` under it), or of every model's (`registeredModels/-`)
 * when `modelId` is undefined; a model that does not exist is NOT_FOUND.
 */
export async function listOfModel<T>(
  registry: Registry,
  modelId: number | undefined,
  request: ListRequest,
  spec: ListSpec,
  collection: string,
  list: (r: StoreReader, query: ListQuery) => Promise<ListResult<T>>,
): Promise<Page<T>> {
  const parent = modelId === undefined ? "registeredModels/-" : modelName(modelId);
  const prepared = prepareList(request, spec, unitOf(registry).store.tokenKey(), collection === "" ? parent : `${parent}/${collection}`);
  return unitOf(registry).read(async (r) => {
    if (modelId !== undefined) await findModel(r, { id: modelId });
    return toPage(prepared, await list(r, prepared.query), await r.revision(), (item) => item);
  });
}
