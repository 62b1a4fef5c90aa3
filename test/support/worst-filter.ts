import { DEFAULT_FILTER_MAX_DEPTH, DEFAULT_FILTER_MAX_IN_VALUES, DEFAULT_FILTER_MAX_PROPERTY_COMPARISONS } from "../../src/registry/filter/parser.js";

/**
 * The most expensive filter the limits allow (docs/filters.md): every comparison it may make on
 * custom properties (an AND at the top level, which Postgres plans as one join per comparison),
 * the first of them an IN list of the longest legal length, nested as deep as allowed. `extra`
 * is ANDed in unnested (a built-in attribute test, say, to make it select a known set); the
 * fields are `p0` … `p19` (or `${prefix}0` …), the IN list's values 0 … 99 (quoted with `quote`).
 * Set `over` to go one past a limit.
 */
export function worstLegalFilter(options: { extra?: string; over?: "comparisons" | "in" | "depth"; prefix?: string; quote?: boolean } = {}): string {
  const over = (limit: typeof options.over) => (options.over === limit ? 1 : 0);
  const prefix = options.prefix ?? "p";
  const value = (n: number) => (options.quote ? `'${n}'` : String(n));
  const inValues = Array.from({ length: DEFAULT_FILTER_MAX_IN_VALUES + over("in") }, (_, i) => value(i)).join(",");
  const comparisons = [`${prefix}0 IN (${inValues})`];
  for (let i = 1; i < DEFAULT_FILTER_MAX_PROPERTY_COMPARISONS + over("comparisons"); i++) comparisons.push(`${prefix}${i} >= ${value(0)}`);
  // The top level is depth 1 and each parenthesis one more.
  const depth = DEFAULT_FILTER_MAX_DEPTH - 1 + over("depth");
  const nested = `${"(".repeat(depth)}${comparisons.join(" AND ")}${")".repeat(depth)}`;
  return options.extra ? `${options.extra} AND ${nested}` : nested;
}
