import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { CmpOp, FieldRef, FilterExpr, Literal } from "../../registry/filter/ast.js";

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

type Eb = ExpressionBuilder<any, any>;
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
export function compileFilter(eb: Eb, expr: FilterExpr, target: FilterTarget): Bool {
  let aliases = 0;
  const nextAlias = (prefix: string) => `${prefix}${++aliases}`;

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
            if (rel) return related(eb, e, rel, target.idColumn, nextAlias("fr"));
            return attribute(eb, e, column(target, e.field.name), e.field.type);
          }
          case "label":
            return label(eb, e, e.field.key, target.idColumn, nextAlias("fl"));
          case "property":
            return property(eb, e, e.field, target.idColumn, nextAlias("fp"));
        }
    }
  };
  return compile(expr);
}

type Predicate = FilterExpr & { kind: "cmp" | "in" | "null" };

function column(target: FilterTarget, name: string): Expression<any> {
  const ref = target.columns[name];
  // The parser only admits the schema's attributes; a gap here is a wiring bug, not user input.
  if (ref === undefined) throw new Error(`filter attribute '${name}' has no column in this query`);
  return sql.ref(ref);
}

/** Built-in columns: times are epoch millis (the parser already converted RFC 3339). */
function attribute(eb: Eb, e: Predicate, col: Expression<any>, type: string): Bool {
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
      return exists(eb.or(e.values.map((v) => propertyValue(eb, ref, field, "=", v))));
    case "cmp":
      return exists(propertyValue(eb, ref, field, e.op, e.value));
  }
}

/**
 * One property value test. Untyped numeric literals match int and double values alike: an int
 * literal compares exactly against int_value for ints and against number_value for doubles (so
 * 10 matches 10.0); a double literal compares against number_value. Typed references
 * (.int_value and so on) match only values stored with that type.
 */
function propertyValue(eb: Eb, ref: (name: string) => Expression<any>, field: PropertyField, op: CmpOp, value: Literal): Bool {
  const typeIs = (t: string) => eb(ref("value_type"), "=", t);
  const test = (col: string, v: unknown) => compare(eb, ref(col), op, v);
  switch (value.kind) {
    case "string":
      return eb.and([typeIs("string"), test("string_value", value.value)]);
    case "bool":
      return eb.and([typeIs("bool"), test("bool_value", value.value ? 1 : 0)]);
    case "double":
      if (field.valueType === "double") return eb.and([typeIs("double"), test("number_value", value.value)]);
      return eb.and([eb(ref("value_type"), "in", ["int", "double"]), test("number_value", value.value)]);
    case "int":
      if (field.valueType === "int") return eb.and([typeIs("int"), test("int_value", value.value)]);
      return eb.or([
        eb.and([typeIs("int"), test("int_value", value.value)]),
        eb.and([typeIs("double"), test("number_value", Number(value.value))]),
      ]);
  }
}

/** The SQL comparison for a filter operator; ILIKE is lower() on both sides for portability. */
function compare(eb: Eb, left: Expression<any>, op: CmpOp, value: unknown): Bool {
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
