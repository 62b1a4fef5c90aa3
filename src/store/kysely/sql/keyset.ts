import { type Expression, type SqlBool, sql } from "kysely";
import type { Cursor } from "../../../registry/ports/store.js";
import type { DynamicExpressionBuilder } from "./dynamic-query.js";

/** One ORDER BY term of a keyset query. */
export interface KeysetTerm {
  expr: Expression<unknown>;
  desc: boolean;
  /** Nullable terms sort their NULLs last in both directions. */
  nullable: boolean;
}

/** ORDER BY clause items for the terms, NULLs last. */
export function orderByItems(terms: KeysetTerm[]) {
  return terms.map((t) => sql`${t.expr} ${sql.raw(t.desc ? "desc" : "asc")}${sql.raw(t.nullable ? " nulls last" : "")}`);
}

/**
 * The condition "row sorts strictly after the cursor" for a lexicographic order whose last term
 * is unique (the id). NULLs sort last: after a non-null value come greater values, then NULLs.
 */
export function afterCursor(eb: DynamicExpressionBuilder, terms: KeysetTerm[], cursor: Cursor): Expression<SqlBool> {
  const build = (i: number): Expression<SqlBool> | null => {
    const term = terms[i];
    if (!term) return null;
    const value = cursor[i] ?? null;
    const rest = build(i + 1);
    const e = term.expr;
    if (value === null) {
      if (!term.nullable) throw new RangeError("cursor holds null for a non-null key");
      return rest ? eb.and([eb(e, "is", null), rest]) : eb.lit(false);
    }
    const beyond = [eb(e, term.desc ? "<" : ">", value)];
    if (term.nullable) beyond.push(eb(e, "is", null));
    if (rest) beyond.push(eb.and([eb(e, "=", value), rest]));
    return eb.or(beyond);
  };
  const condition = build(0) ?? eb.lit(true);
  // The OR form alone is only a filter to the planners (SQLite and Postgres then scan the index
  // from its start, so page n costs O(n)). A redundant bound on the first key lets them start
  // the index range at the cursor: `first >= v AND (…)` is the same set of rows.
  const first = terms[0];
  const start = cursor[0] ?? null;
  if (!first || first.nullable || start === null) return condition;
  return eb.and([eb(first.expr, first.desc ? "<=" : ">=", start), condition]);
}
