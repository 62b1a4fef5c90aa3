import type { FilterExpr } from "../filter/ast.js";

/** The shape of every keyset list the store answers. */

/** What a list can be ordered by: a column of the listed table, or a custom property. */
export type SortKey = { kind: "column"; column: string; desc: boolean } | { kind: "property"; key: string; desc: boolean };

/** Cursor values of a keyset page boundary: one per sort key, then the id. */
export type Cursor = Array<string | number | null>;

/** A keyset list query. The store appends an id tiebreak in the direction of the last key. */
export interface ListQuery {
  filter: FilterExpr | null;
  sort: SortKey[];
  after: Cursor | null;
  limit: number;
  withTotal: boolean;
}

export interface ListResult<T> {
  items: T[];
  /** Cursor of the last item when more items follow, else null. */
  next: Cursor | null;
  total?: number;
}
