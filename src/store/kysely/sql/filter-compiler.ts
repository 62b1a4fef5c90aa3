import { type Expression, expressionBuilder, type SqlBool, sql } from "kysely";
import type { CmpOp, FieldRef, FilterExpr, Literal } from "../../../registry/filter/ast.js";
import type { DynamicDatabase, DynamicExpressionBuilder } from "./dynamic-query.js";

/** Where a filtered table's attributes live in the query being built. */
export interface FilterTarget {
  /** canonical attribute name -> qualified column reference, e.g. { display_name: "t.display_name", state: "t.state", create_time: "t.create_time" } */
  columns: Record<string, string>;
  /** qualified id column of the filtered table, e.g. "t.id" */
  idColumn: string;
  /**
   * Multi-valued attributes held in another table, e.g. a version's aliases:
   * { alias: { table: "model_aliases", key: "version_id", value: "alias" } }. A comparison means
   * "some related row matches" (EXISTS); IS NULL means "no related row".
   */
  related?: Record<string, RelatedAttribute>;
}

/** A table holding one value per row for the filtered row (joined on key = the filtered id). */
export interface RelatedAttribute {
  table: string;
  key: string;
  value: string;
}

type Eb = DynamicExpressionBuilder;
type Bool = Expression<SqlBool>;
type SqlOp = "=" | "<>" | "<" | "<=" | ">" | ">=" | "like";
type PropertyField = FieldRef & { kind: "property" };

/**
 * Compiles a parsed filter into a Kysely condition, every value a bound parameter. Labels and
 * custom properties are correlated EXISTS subqueries (so "missing" is NOT EXISTS, and `!=` means
 * "present and different"). Portable across SQLite and Postgres, with one documented difference:
 * LIKE follows the engine (case-insensitive for ASCII on SQLite, case-sensitive on Postgres);
 * ILIKE is `lower(x) LIKE lower(pattern)` on both. Patterns are passed through unescaped.
 */
export function compileFilter(expr: FilterExpr, target: FilterTarget): Bool {
  // The attribute names are known only at run time: the condition is built over DynamicDatabase
  // and fits in a query over any table (`query.where(compileFilter(expr, target))`).
  const eb = expressionBuilder<DynamicDatabase, string>();
  let aliases = 0;
  const nextAlias = (prefix: string) => `${prefix}${++aliases}`;
  let subqueries = 0;
  const subquery = (condition: Bool) => (++subqueries > JOINED_SUBQUERIES ? fenced(eb, condition) : condition);

  const compile = (e: FilterExpr): Bool => {
    switch (e.kind) {
      case "and":
        return eb.and(e.items.map(compile));
      case "or":
        return eb.or(e.items.map(compile));
      case "not":
        return eb.not(compile(e.expr));
      case "cmp":
      case "in":
      case "null":
        switch (e.field.kind) {
          case "attr": {
            const rel = target.related?.[e.field.name];
            if (rel) return subquery(related(eb, e, rel, target.idColumn, nextAlias("fr")));
            return attribute(eb, e, column(target, e.field.name), e.field.type);
          }
          case "label":
            return subquery(label(eb, e, e.field.key, target.idColumn, nextAlias("fl")));
          case "property":
            return subquery(property(eb, e, e.field, target.idColumn, nextAlias("fp")));
        }
    }
  };
  return compile(expr);
}

type Predicate = FilterExpr & { kind: "cmp" | "in" | "null" };

/**
 * How many of a filter's subqueries (property, label and related comparisons, in the order they
 * are written) stay plain EXISTS. Postgres turns an EXISTS in a top-level AND into a semi-join,
 * which lets it drive the query from an index of the properties table (the fast plan for a
 * selective test), but it searches join orders over all of them: an AND of 20 took 60–250 ms to
 * plan and one of 32 200 ms, while the filter limit allows 20 (parser.ts maxPropertyComparisons).
 * The ones after these are fenced (see fenced): each then runs as a probe of the properties
 * primary key per candidate row, and planning stays near 1 ms however many there are.
 */
export const JOINED_SUBQUERIES = 8;

/**
 * The same condition, in a form no planner turns into a join: `CASE WHEN c THEN 1 ELSE 0 END = 1`.
 * An EXISTS is never NULL, so the result is exactly c's, NOT included.
 */
function fenced(eb: Eb, condition: Bool): Bool {
  return eb(eb.case().when(condition).then(sql.lit(1)).else(sql.lit(0)).end(), "=", sql.lit(1));
}

function column(target: FilterTarget, name: string): Expression<unknown> {
  const ref = target.columns[name];
  // The parser only admits the schema's attributes; a gap here is a wiring bug, not user input.
  if (ref === undefined) throw new Error(`filter attribute '${name}' has no column in this query`);
  return sql.ref(ref);
}

/** Built-in columns: times are epoch millis (the parser already converted RFC 3339). */
function attribute(eb: Eb, e: Predicate, col: Expression<unknown>, type: string): Bool {
  const textual = type === "string" || type === "enum";
  switch (e.kind) {
    case "null":
      // Text columns are NOT NULL and use '' for "unset"; other columns compare with NULL.
      if (textual) return eb(col, e.negated ? "<>" : "=", "");
      return eb(col, e.negated ? "is not" : "is", null);
    case "in":
      return eb(col, "in", e.values.map(param));
    case "cmp":
      return compare(eb, col, e.op, param(e.value));
  }
}

/** labels(resource_id, key, value): one row per key. */
function label(eb: Eb, e: Predicate, key: string, idColumn: string, alias: string): Bool {
  const value = sql.ref(`${alias}.value`);
  const exists = (predicate: Bool | null) =>
    eb.exists(
      eb
        .selectFrom(`labels as ${alias}`)
        .select(sql.lit(1).as("one"))
        .where(sql.ref(`${alias}.resource_id`), "=", sql.ref(idColumn))
        .where(sql.ref(`${alias}.key`), "=", key)
        .$if(predicate !== null, (q) => q.where(predicate as Bool)),
    );
  switch (e.kind) {
    case "null":
      return e.negated ? exists(null) : eb.not(exists(null));
    case "in":
      return exists(eb(value, "in", e.values.map(param)));
    case "cmp":
      return exists(compare(eb, value, e.op, param(e.value)));
  }
}

/** A multi-valued attribute: EXISTS a related row whose value matches. */
function related(eb: Eb, e: Predicate, rel: RelatedAttribute, idColumn: string, alias: string): Bool {
  const value = sql.ref(`${alias}.${rel.value}`);
  const exists = (predicate: Bool | null) =>
    eb.exists(
      eb
        .selectFrom(`${rel.table} as ${alias}`)
        .select(sql.lit(1).as("one"))
        .where(sql.ref(`${alias}.${rel.key}`), "=", sql.ref(idColumn))
        .$if(predicate !== null, (q) => q.where(predicate as Bool)),
    );
  switch (e.kind) {
    case "null":
      return e.negated ? exists(null) : eb.not(exists(null));
    case "in":
      return exists(eb(value, "in", e.values.map(param)));
    case "cmp":
      return exists(compare(eb, value, e.op, param(e.value)));
  }
}

/**
 * properties(resource_id, key, value_type, string_value, int_value, number_value, bool_value):
 * the value predicate also pins value_type, so a string '10' never equals the number 10.
 */
function property(eb: Eb, e: Predicate, field: PropertyField, idColumn: string, alias: string): Bool {
  const ref = (name: string) => sql.ref(`${alias}.${name}`);
  const exists = (predicate: Bool | null) =>
    eb.exists(
      eb
        .selectFrom(`properties as ${alias}`)
        .select(sql.lit(1).as("one"))
        .where(ref("resource_id"), "=", sql.ref(idColumn))
        .where(ref("key"), "=", field.key)
        .$if(predicate !== null, (q) => q.where(predicate as Bool)),
    );
  switch (e.kind) {
    case "null": {
      const typed = field.valueType === null ? null : eb(ref("value_type"), "=", field.valueType);
      return e.negated ? exists(typed) : eb.not(exists(typed));
    }
    case "in":
      return exists(propertyIn(eb, ref, field, e.values));
    case "cmp":
      return exists(propertyValue(eb, ref, field, e.value.kind, (col, convert) => compare(eb, ref(col), e.op, convert(e.value))));
  }
}

/**
 * `key IN (…)`: one SQL IN per kind of literal in the list (at most four, however long the list),
 * never a chain of ORs: SQLite refuses an OR per value beyond a few hundred ("Expression tree is
 * too large") and Postgres plans each one.
 */
function propertyIn(eb: Eb, ref: ColumnRef, field: PropertyField, values: Literal[]): Bool {
  const byKind = new Map<Literal["kind"], Literal[]>();
  for (const value of values) byKind.set(value.kind, [...(byKind.get(value.kind) ?? []), value]);
  const tests = [...byKind].map(([kind, group]) => propertyValue(eb, ref, field, kind, (col, convert) => eb(ref(col), "in", group.map(convert))));
  return tests.length === 1 ? (tests[0] as Bool) : eb.or(tests);
}

type ColumnRef = (name: string) => Expression<unknown>;
/** A test of one value column, given how to turn a literal into that column's bound value. */
type ColumnTest = (column: string, convert: (value: Literal) => unknown) => Bool;

/**
 * One property value test for literals of one kind. Untyped numeric literals match int and double
 * values alike: an int literal compares exactly against int_value for ints and against
 * number_value for doubles (so 10 matches 10.0); a double literal compares against number_value.
 * Typed references (.int_value and so on) match only values stored with that type.
 */
function propertyValue(eb: Eb, ref: ColumnRef, field: PropertyField, kind: Literal["kind"], test: ColumnTest): Bool {
  const typeIs = (t: string) => eb(ref("value_type"), "=", t);
  switch (kind) {
    case "string":
      return eb.and([typeIs("string"), test("string_value", param)]);
    case "bool":
      return eb.and([typeIs("bool"), test("bool_value", param)]);
    case "double":
      if (field.valueType === "double") return eb.and([typeIs("double"), test("number_value", param)]);
      return eb.and([eb(ref("value_type"), "in", ["int", "double"]), test("number_value", param)]);
    case "int":
      if (field.valueType === "int") return eb.and([typeIs("int"), test("int_value", param)]);
      return eb.or([eb.and([typeIs("int"), test("int_value", param)]), eb.and([typeIs("double"), test("number_value", asNumber)])]);
  }
}

/** An int literal as a double, for number_value. */
function asNumber(value: Literal): number {
  return Number(value.value);
}

/** The SQL comparison for a filter operator; ILIKE is lower() on both sides for portability. */
function compare(eb: Eb, left: Expression<unknown>, op: CmpOp, value: unknown): Bool {
  if (op === "ILIKE") {
    return eb(eb.fn("lower", [left]), "like", eb.fn("lower", [eb.cast(eb.val(value), "text")]));
  }
  const sqlOp: SqlOp = op === "!=" ? "<>" : op === "LIKE" ? "like" : op;
  return eb(left, sqlOp, value);
}

/** The bound parameter for a literal: ints stay bigint (int8-exact), bools are 0/1 as stored. */
function param(value: Literal): unknown {
  return value.kind === "bool" ? (value.value ? 1 : 0) : value.value;
}
