import { type Kysely, sql } from "kysely";
import { encodeJson } from "../../../registry/core/json-codec.js";
import type { Cursor, ListQuery } from "../../../registry/ports/store.js";
import type { ListSelect } from "./dynamic-query.js";
import { compileFilter, type FilterTarget } from "./filter-compiler.js";
import { afterCursor, type KeysetTerm, orderByItems } from "./keyset.js";
import { toNumber } from "./integers.js";
import { compileTemplate, type QueryTemplate, runTemplate } from "./prepared-query.js";

/**
 * The base of a list whose page query is compiled once per shape: `key` names the base's shape
 * (which conditions it has, not their values), `args` are its values, and `build` makes it from
 * args, which are placeholders while the template is compiled. Lists of other bases are built
 * and compiled on every call. A base selects the listed table's columns (`selectAll("t")`) and
 * whatever else its rows carry: Row is what it selects.
 */
export interface PageBase<Row, DB> {
  key: string;
  args: readonly unknown[];
  build(db: Kysely<DB>, args: readonly unknown[]): ListSelect<Row>;
}

export interface PageResult<Row> {
  items: Row[];
  next: Cursor | null;
  total?: number;
}

/** The keyset paginator (readPage over the reader's connection), handed to the resource query classes. */
export type Paginate = <Row>(
  base: ListSelect<Row>,
  query: ListQuery,
  columns: Record<string, string>,
  related?: FilterTarget["related"],
) => Promise<PageResult<Row>>;

/** The sort keys a page query selects besides the base's columns (`__k0`, `__k1`, …), for the next cursor. */
type SortKeys = Record<`__k${number}`, unknown>;

/** Page templates kept per dialect (by base shape, filter, order and cursor shape); the oldest goes first. */
const MAX_TEMPLATES = 512;
const templatesByDialect = new Map<unknown, Map<string, QueryTemplate>>();

/**
 * One keyset page: filter, cursor condition, ORDER BY the sort keys plus the id, LIMIT n+1.
 * Each sort key is also selected (as __k<i>) so the page's last row yields the next cursor.
 *
 * With a PageBase the page query is compiled once per shape and later calls only bind values
 * (the base's args, the cursor, the limit): building and compiling a filtered, ordered page
 * query costs Kysely about as much as SQLite takes to run a 100-row page. The filter's
 * literals are part of the shape (its key holds the whole filter).
 */
export async function readPage<DB, Row>(
  db: Kysely<DB>,
  base: ListSelect<Row> | PageBase<Row, DB>,
  query: ListQuery,
  columns: Record<string, string>,
  related?: FilterTarget["related"],
): Promise<PageResult<Row>> {
  const terms = sortTerms(query, columns);
  const total = query.withTotal ? await countAll(isPageBase(base) ? base.build(db, base.args) : base, query, columns, related) : undefined;
  let rows: Array<Row & SortKeys>;
  if (isPageBase(base)) {
    const cursor = query.after ?? [];
    const key = [
      base.key,
      encodeJson(query.filter),
      JSON.stringify(query.sort),
      query.after ? cursor.map((v) => (v === null ? "n" : "v")).join("") : "-",
    ].join("\u0000");
    // The SQL depends on the dialect: templates are kept per adapter class.
    const dialect = db.getExecutor().adapter.constructor;
    let templates = templatesByDialect.get(dialect);
    if (!templates) {
      templates = new Map();
      templatesByDialect.set(dialect, templates);
    }
    let template = templates.get(key);
    const values = cursor.filter((v) => v !== null);
    if (template === undefined) {
      template = compileTemplate(
        (slots) => {
          const baseSlots = slots.slice(0, base.args.length);
          let k = base.args.length;
          const after = query.after ? cursor.map((v) => (v === null ? null : slots[k++])) : null;
          return pageQuery(base.build(db, baseSlots), { ...query, after: after as Cursor | null }, terms, columns, related).limit(slots[k] as number);
        },
        base.args.length + values.length + 1,
      );
      if (templates.size >= MAX_TEMPLATES) templates.delete(templates.keys().next().value!);
      templates.set(key, template);
    }
    rows = await runTemplate<Row & SortKeys>(db, template, [...base.args, ...values, query.limit + 1]);
  } else {
    rows = await pageQuery(base, query, terms, columns, related)
      .limit(query.limit + 1)
      .execute();
  }
  const more = rows.length > query.limit;
  const items = more ? rows.slice(0, query.limit) : rows;
  const last = items.at(-1);
  const next: Cursor | null = more && last ? terms.map((_, i) => cursorValue(last[`__k${i}`])) : null;
  return { items, next, ...(total !== undefined ? { total } : {}) };
}

function isPageBase<Row, DB>(base: ListSelect<Row> | PageBase<Row, DB>): base is PageBase<Row, DB> {
  return "build" in base && typeof base.build === "function" && "key" in base && typeof base.key === "string";
}

/** The ORDER BY terms of a query: its sort keys (a property key sorts by number, then string), then the id. */
function sortTerms(query: ListQuery, columns: Record<string, string>): KeysetTerm[] {
  const terms: KeysetTerm[] = [];
  query.sort.forEach((key, i) => {
    if (key.kind === "column") {
      const column = columns[key.column];
      if (!column) throw new RangeError(`unsortable column ${key.column}`);
      terms.push({ expr: sql.ref(column), desc: key.desc, nullable: false });
      return;
    }
    // Numbers first (by value), then strings; rows without the key last.
    terms.push({ expr: sql.ref(`s${i}.number_value`), desc: key.desc, nullable: true });
    terms.push({ expr: sql.ref(`s${i}.string_value`), desc: key.desc, nullable: true });
  });
  terms.push({ expr: sql.ref("t.id"), desc: query.sort.at(-1)?.desc ?? false, nullable: false });
  return terms;
}

/** The page query without its LIMIT: property joins of the sort keys, filter, cursor, selected keys, ORDER BY. */
function pageQuery<Row>(
  base: ListSelect<Row>,
  query: ListQuery,
  terms: KeysetTerm[],
  columns: Record<string, string>,
  related?: FilterTarget["related"],
): ListSelect<Row & SortKeys> {
  let q = filtered(base, query, columns, related);
  if (query.after) {
    const after = query.after;
    q = q.where((eb) => afterCursor(eb, terms, after));
  }
  let keyed: ListSelect<Row & SortKeys> = q.select(terms.map((t, i) => sql`${t.expr}`.as(`__k${i}`)));
  for (const item of orderByItems(terms)) keyed = keyed.orderBy(item);
  return keyed;
}

/** The base with the sort keys' property joins and the filter (what both the page and its count select from). */
function filtered<Row>(base: ListSelect<Row>, query: ListQuery, columns: Record<string, string>, related?: FilterTarget["related"]): ListSelect<Row> {
  const target: FilterTarget = { columns, idColumn: "t.id", ...(related ? { related } : {}) };
  let q = base;
  query.sort.forEach((key, i) => {
    if (key.kind !== "property") return;
    const alias = `s${i}`;
    q = q.leftJoin(`properties as ${alias}`, (join) => join.onRef(`${alias}.resource_id`, "=", "t.id").on(`${alias}.key`, "=", key.key));
  });
  if (query.filter) {
    const filter = query.filter;
    q = q.where(compileFilter(filter, target));
  }
  return q;
}

async function countAll<Row>(
  base: ListSelect<Row>,
  query: ListQuery,
  columns: Record<string, string>,
  related?: FilterTarget["related"],
): Promise<number> {
  const row = await filtered(base, query, columns, related)
    .clearSelect()
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  return toNumber(row.n);
}

/** Cursor values are JSON-safe: integers become numbers, text stays text. */
function cursorValue(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return toNumber(value);
  if (typeof value === "number" || typeof value === "string") {
    // pg returns int8 sort keys as strings; times and ids are integers.
    return value;
  }
  return String(value);
}
