import type { ListQuery, ListResult } from "../ports/store.js";
import { InvalidArgumentError } from "../core/errors.js";
import { parseFilter } from "../filter/parser.js";
import type { ListSpec } from "./list-specs.js";
import { parseOrderBy } from "./order-by.js";
import { decodePageToken, encodePageToken, queryDigest } from "./page-token.js";
import type { ListRequest, Page } from "../core/types.js";

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
