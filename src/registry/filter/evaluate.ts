import type { MetadataValue } from "../core/types.js";
import type { CmpOp, FieldRef, FilterExpr, Literal } from "./ast.js";

/**
 * What a filter can see of one resource: built-in attributes by canonical name (times as epoch
 * millis), labels and custom properties. undefined means "absent".
 */
export interface FilterSubject {
  /** A list is a multi-valued attribute (a version's aliases): "some value matches", IS NULL "none". */
  attribute(name: string): string | number | bigint | readonly string[] | null | undefined;
  label(key: string): string | undefined;
  property(key: string): MetadataValue | undefined;
}

/** SQL's three-valued logic: null is UNKNOWN (a comparison with a NULL column). */
type Tri = boolean | null;

/**
 * Evaluates a parsed filter against one resource in memory, with the semantics of the SQL that
 * compileFilter (src/store/kysely/sql/filter-compiler.ts) generates, so Watch selects exactly what a
 * List with the same filter would:
 * - text attributes hold "" for unset: IS NULL means "", and comparisons are on code points
 *   (SQLite's binary collation; Postgres under the C collation);
 * - a missing label or property fails every comparison, `!=` included (SQL's EXISTS);
 * - property comparisons pin the stored type: strings never equal numbers, untyped numeric
 *   literals match int and double values (ints exactly), typed references (.int_value ...) match
 *   only values stored with that type;
 * - LIKE is case-sensitive with `%` and `_` and no escape character (as on SQLite; Postgres
 *   would treat a backslash as an escape); ILIKE lower-cases both sides (Unicode, as Postgres
 *   does; SQLite's lower() folds ASCII only);
 * - AND, OR and NOT follow SQL's three-valued logic, so a comparison with an absent (NULL)
 *   attribute is UNKNOWN and NOT of it is UNKNOWN too; only TRUE selects.
 */
export function evaluateFilter(expr: FilterExpr, subject: FilterSubject): boolean {
  return evaluate(expr, subject) === true;
}

function evaluate(e: FilterExpr, s: FilterSubject): Tri {
  switch (e.kind) {
    case "and": {
      let result: Tri = true;
      for (const item of e.items) {
        const v = evaluate(item, s);
        if (v === false) return false;
        if (v === null) result = null;
      }
      return result;
    }
    case "or": {
      let result: Tri = false;
      for (const item of e.items) {
        const v = evaluate(item, s);
        if (v === true) return true;
        if (v === null) result = null;
      }
      return result;
    }
    case "not": {
      const v = evaluate(e.expr, s);
      return v === null ? null : !v;
    }
    case "cmp":
    case "in":
    case "null":
      switch (e.field.kind) {
        case "attr": {
          const value = s.attribute(e.field.name);
          return Array.isArray(value) ? related(e, value) : attribute(e, e.field, value as Scalar | null | undefined);
        }
        case "label":
          return label(e, s.label(e.field.key));
        case "property":
          return property(e, e.field, s.property(e.field.key));
      }
  }
}

type Predicate = FilterExpr & { kind: "cmp" | "in" | "null" };
type Scalar = string | number | bigint;

/** Built-in attributes: text is NOT NULL with "" for unset; other columns may be NULL. */
function attribute(e: Predicate, field: FieldRef & { kind: "attr" }, raw: Scalar | null | undefined): Tri {
  const value = raw ?? null;
  const textual = field.type === "string" || field.type === "enum";
  if (e.kind === "null") {
    if (textual) return value === null ? null : (value === "") !== e.negated;
    return (value === null) !== e.negated;
  }
  if (value === null) return null;
  if (e.kind === "in") return e.values.some((v) => compare(value, "=", literalValue(v)));
  return compare(value, e.op, literalValue(e.value));
}

/** A multi-valued attribute, like the compiler's related table: EXISTS a value that matches. */
function related(e: Predicate, values: readonly string[]): Tri {
  if (e.kind === "null") return (values.length === 0) !== e.negated;
  if (e.kind === "in") return values.some((value) => e.values.some((v) => compare(value, "=", literalValue(v))));
  return values.some((value) => compare(value, e.op, literalValue(e.value)));
}

/** labels: one value per key; a missing key fails every comparison (EXISTS). */
function label(e: Predicate, value: string | undefined): Tri {
  if (e.kind === "null") return (value === undefined) !== e.negated;
  if (value === undefined) return false;
  if (e.kind === "in") return e.values.some((v) => compare(value, "=", literalValue(v)));
  return compare(value, e.op, literalValue(e.value));
}

/** custom properties: the stored type takes part in every test (see propertyValue). */
function property(e: Predicate, field: FieldRef & { kind: "property" }, value: MetadataValue | undefined): Tri {
  if (e.kind === "null") {
    const present = value !== undefined && (field.valueType === null || value.type === field.valueType);
    return present === e.negated;
  }
  if (value === undefined) return false;
  if (e.kind === "in") return e.values.some((v) => propertyValue(value, field.valueType, "=", v));
  return propertyValue(value, field.valueType, e.op, e.value);
}

/** One property value test, mirroring the compiler's propertyValue. */
function propertyValue(p: MetadataValue, valueType: string | null, op: CmpOp, literal: Literal): boolean {
  switch (literal.kind) {
    case "string":
      return p.type === "string" && compare(p.value, op, literal.value);
    case "bool":
      return p.type === "bool" && compare(p.value ? 1 : 0, op, literal.value ? 1 : 0);
    case "double":
      if (valueType === "double") return p.type === "double" && compare(p.value, op, literal.value);
      if (p.type === "int") return compare(Number(p.value), op, literal.value);
      return p.type === "double" && compare(p.value, op, literal.value);
    case "int":
      if (valueType === "int") return p.type === "int" && compare(p.value, op, literal.value);
      if (p.type === "int") return compare(p.value, op, literal.value);
      return p.type === "double" && compare(p.value, op, Number(literal.value));
  }
}

/** The stored form of a literal: bools are 0/1 as in the tables. */
function literalValue(literal: Literal): Scalar {
  return literal.kind === "bool" ? (literal.value ? 1 : 0) : literal.value;
}

function compare(left: Scalar, op: CmpOp, right: Scalar): boolean {
  if (op === "LIKE" || op === "ILIKE") {
    if (typeof left !== "string" || typeof right !== "string") return false;
    return op === "LIKE" ? like(left, right) : like(left.toLowerCase(), right.toLowerCase());
  }
  const order = ordering(left, right);
  if (order === null) return false;
  switch (op) {
    case "=":
      return order === 0;
    case "!=":
      return order !== 0;
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    case ">=":
      return order >= 0;
  }
}

/** -1, 0 or 1; numbers compare exactly across number and bigint; strings by code point; mixed kinds never compare. */
function ordering(a: Scalar, b: Scalar): number | null {
  if (typeof a === "string" || typeof b === "string") {
    if (typeof a !== "string" || typeof b !== "string") return null;
    return compareCodePoints(a, b);
  }
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) || Number.isNaN(b)) return null;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return compareExact(a, b);
}

/** number vs bigint without losing precision on either side. */
function compareExact(a: number | bigint, b: number | bigint): number | null {
  if (typeof a === "number" && !Number.isFinite(a)) return Number.isNaN(a) ? null : a > 0 ? 1 : -1;
  if (typeof b === "number" && !Number.isFinite(b)) return Number.isNaN(b) ? null : b > 0 ? -1 : 1;
  if (typeof a === "number" && !Number.isInteger(a)) {
    const floor = BigInt(Math.floor(a));
    return floor < (b as bigint) ? -1 : 1;
  }
  if (typeof b === "number" && !Number.isInteger(b)) {
    const floor = BigInt(Math.floor(b));
    return (a as bigint) <= floor ? -1 : 1;
  }
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Code point order (UTF-8 byte order), unlike JS's UTF-16 `<` for characters beyond U+FFFF. */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const x = a[Symbol.iterator]();
  const y = b[Symbol.iterator]();
  for (;;) {
    const p = x.next();
    const q = y.next();
    if (p.done || q.done) return p.done && q.done ? 0 : p.done ? -1 : 1;
    const d = p.value.codePointAt(0)! - q.value.codePointAt(0)!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
}

const likeCache = new Map<string, RegExp>();

/** SQL LIKE: `%` any run of characters, `_` one character, everything else literal. */
function like(value: string, pattern: string): boolean {
  let re = likeCache.get(pattern);
  if (!re) {
    let source = "";
    for (const ch of pattern) {
      source += ch === "%" ? ".*" : ch === "_" ? "." : ch.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
    }
    re = new RegExp(`^${source}$`, "su");
    if (likeCache.size > 256) likeCache.clear();
    likeCache.set(pattern, re);
  }
  return re.test(value);
}

/** Canonical attribute names whose domain field is not simply the camelCase of the name. */
const FIELD_OF_ATTRIBUTE: Readonly<Record<string, string>> = {
  registered_model_id: "modelId",
  registered_model_display_name: "modelDisplayName",
  /** An alias's model, by display name (ALIAS_LIST). */
  registered_model: "modelDisplayName",
  model_version_id: "versionId",
  /** An inference service's environment. */
  serving_environment_id: "environmentId",
  /** A version's aliases (a list); an Alias's own name is its `alias` field. */
  alias: "aliases",
  /** A Kubeflow record's kind (doc-artifact, dataset-artifact, metric, parameter). */
  artifact_type: "kind",
};

/** Multi-valued attributes: absent from a snapshot means "none" (a just-created version has no aliases). */
const LIST_ATTRIBUTES: ReadonlySet<string> = new Set(["alias"]);

/**
 * The filter's view of a domain resource (RegisteredModel, ModelVersion, ...): attribute
 * `create_time` is field `createTime` (Dates as epoch millis), labels are `labels`, custom
 * properties `customProperties`.
 */
export function resourceFilterSubject(resource: object): FilterSubject {
  const fields = resource as Record<string, unknown>;
  const own = (record: unknown, key: string) =>
    record && typeof record === "object" && Object.hasOwn(record, key) ? (record as Record<string, unknown>)[key] : undefined;
  return {
    attribute(name) {
      const mapped = FIELD_OF_ATTRIBUTE[name];
      const value = own(fields, mapped !== undefined && Object.hasOwn(fields, mapped) ? mapped : camelCase(name));
      if (value instanceof Date) return value.getTime();
      if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") return value;
      if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
      return LIST_ATTRIBUTES.has(name) ? [] : null;
    },
    label: (key) => {
      const value = own(fields.labels, key);
      return typeof value === "string" ? value : undefined;
    },
    property: (key) => own(fields.customProperties, key) as MetadataValue | undefined,
  };
}

function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
