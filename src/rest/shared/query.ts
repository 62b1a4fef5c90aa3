import { decodeUtf8, escapeText, textProblem } from "../../registry/core/text.js";
import { translateKubeflowFilter } from "../../registry/kubeflow/compat.js";
import type { ListSpec } from "../../registry/shared/list-specs.js";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../../registry/shared/list-query.js";
import type { ListRequest, Page } from "../../registry/core/types.js";
import { badField, RestError } from "./errors.js";

/**
 * Kubeflow's list parameters onto the registry's ListRequest: pageSize, orderBy (CREATE_TIME,
 * LAST_UPDATE_TIME, ID) with sortOrder (ASC, DESC), nextPageToken (our opaque keyset token,
 * bound to the filter and order: empty starts at the first page, the last page returns empty),
 * and filterQuery in the filter language's Kubeflow-compatible form (kubeflow-compat.ts).
 */

const ORDER_COLUMNS: Record<string, string> = { CREATE_TIME: "create_time", LAST_UPDATE_TIME: "update_time", ID: "id" };

export const LIST_PARAMS = ["pageSize", "orderBy", "sortOrder", "nextPageToken", "filterQuery"] as const;

export interface ListOptions {
  spec: ListSpec;
  /** Resource-specific filterQuery spellings (`owner` of a run is its author). */
  filterNames?: Record<string, string>;
  /** Conditions the endpoint adds (a name=… parameter), ANDed with filterQuery. */
  extraFilter?: string[];
  /** The order when only sortOrder is given (default create_time). */
  defaultOrder?: string;
}

/** The ListRequest of a list endpoint's query parameters. */
export function listRequest(query: URLSearchParams, options: ListOptions): { request: ListRequest; pageSize: number } {
  const pageSizeText = query.get("pageSize");
  let pageSize = DEFAULT_PAGE_SIZE;
  if (pageSizeText !== null && pageSizeText !== "") {
    if (!/^[1-9][0-9]{0,8}$/.test(pageSizeText)) throw badField("pageSize", "must be a positive integer", "INVALID_PAGE_SIZE");
    pageSize = Math.min(Number(pageSizeText), MAX_PAGE_SIZE);
  }
  const orderBy = query.get("orderBy") || "";
  const sortOrder = query.get("sortOrder") || "";
  if (orderBy !== "" && !(orderBy in ORDER_COLUMNS))
    throw badField("orderBy", "must be one of CREATE_TIME, LAST_UPDATE_TIME, ID", "INVALID_ORDER_BY");
  if (sortOrder !== "" && sortOrder !== "ASC" && sortOrder !== "DESC") throw badField("sortOrder", "must be ASC or DESC", "INVALID_ORDER_BY");
  const column = orderBy !== "" ? ORDER_COLUMNS[orderBy]! : sortOrder !== "" ? (options.defaultOrder ?? "create_time") : "";
  const filterQuery = query.get("filterQuery") ?? "";
  if (filterQuery.length > 4096) throw new RestError(400, "filterQuery: longer than 4096 characters", "FILTER_TOO_COMPLEX");
  const filters = [translateKubeflowFilter(filterQuery, options.spec, options.filterNames), ...(options.extraFilter ?? [])]
    .filter((f) => f.trim() !== "")
    .map((f) => `(${f})`);
  return {
    request: {
      pageSize,
      pageToken: query.get("nextPageToken") ?? "",
      filter: filters.join(" AND "),
      orderBy: column === "" ? "" : `${column}${sortOrder === "DESC" ? " desc" : ""}`,
      showTotalSize: false,
    },
    pageSize,
  };
}

/** A string literal of the filter language. */
export function quoteLiteral(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}"`;
}

/** Kubeflow's list envelope. */
export function envelope<T>(page: Page<T>, pageSize: number, map: (item: T) => unknown) {
  return { items: page.items.map(map), nextPageToken: page.nextPageToken, pageSize, size: page.items.length };
}

/** Refuses query parameters the endpoint does not take (a misspelt one is never silently ignored). */
export function checkParams(query: URLSearchParams, allowed: readonly string[]): void {
  for (const key of query.keys()) {
    if (!allowed.includes(key)) {
      throw badField(key, `unknown query parameter; this endpoint takes ${allowed.length > 0 ? allowed.join(", ") : "none"}`, "UNKNOWN_PARAMETER");
    }
  }
}

/**
 * The text rule (src/registry/text.ts) for query parameters, on the raw query string:
 * URLSearchParams replaces percent-encoded bytes that are not UTF-8 with U+FFFD, which would look
 * up or filter by something other than what was sent. A NUL or invalid UTF-8 in a name or value is
 * a 400 naming the parameter.
 */
export function checkQueryText(search: string): void {
  if (search.length <= 1) return;
  for (const pair of search.slice(1).split("&")) {
    const at = pair.indexOf("=");
    const key = decode(at < 0 ? pair : pair.slice(0, at));
    const problem = textProblem(key) ?? (at < 0 ? undefined : textProblem(decode(pair.slice(at + 1))));
    if (problem) throw badField(escapeText(key), problem.description, problem.reason);
  }
}

/** A form-encoded query part as text: `+` is a space, `%XX` a byte, invalid UTF-8 marked (decodeUtf8). */
function decode(raw: string): string {
  const parts = raw.replace(/\+/g, " ").split(/(%[0-9a-fA-F]{2})/);
  return decodeUtf8(Buffer.concat(parts.map((p, i) => (i % 2 === 1 ? Buffer.of(Number.parseInt(p.slice(1), 16)) : Buffer.from(p, "utf8")))));
}
