import { closestName } from "../../did-you-mean.js";
import type { AttrType, CmpOp, FieldRef, FilterSchema, Literal, PropertyValueType } from "./ast.js";
import { type PathSegment, type Token, filterError, quoteForMessage } from "./lexer.js";

/** The fields a filter names, and the literals compared with them, checked against the list's schema. */

/** A Map, not an object literal, so that `x.constructor` is not mistaken for a suffix. */
const TYPED_SUFFIXES: ReadonlyMap<string, PropertyValueType> = new Map([
  ["string_value", "string"],
  ["int_value", "int"],
  ["double_value", "double"],
  ["bool_value", "bool"],
]);

/**
 * Resolves a field path. Bare single words are attributes when the schema lists them and custom
 * properties otherwise (Kubeflow style); backticks always mean a property key, so `name` can
 * still reach a property called "name". A trailing .string_value/.int_value/.double_value/
 * .bool_value types a property reference.
 */
export function resolveField(segments: PathSegment[], pos: number, schema: FilterSchema): FieldRef {
  let path = segments;
  let valueType: PropertyValueType | null = null;
  const last = path[path.length - 1] as PathSegment;
  const suffix = path.length > 1 && !last.quoted ? TYPED_SUFFIXES.get(last.text.toLowerCase()) : undefined;
  // `custom_properties.int_value` names a property called "int_value", not a typed nothing.
  if (suffix && !(path.length === 2 && isPrefix(path[0] as PathSegment))) {
    valueType = suffix;
    path = path.slice(0, -1);
  }
  const head = path[0] as PathSegment;
  const headName = head.quoted ? null : head.text.toLowerCase();
  if (headName === "labels" || headName === "custom_properties") {
    const key = path[1];
    if (path.length !== 2 || !key) {
      const written = path.map((s) => s.text).join(".");
      throw filterError(
        path.length === 1
          ? `unknown field '${headName}' at ${pos}: name a key, as in ${headName}.my_key`
          : `field '${written}' at ${pos}: quote keys containing dots with backticks, as in ${headName}.\`${path
              .slice(1)
              .map((s) => s.text)
              .join(".")}\``,
      );
    }
    if (headName === "custom_properties") return { kind: "property", key: key.text, valueType };
    if (!schema.labels) throw filterError(`unknown field 'labels' at ${pos}: this resource has no labels`);
    if (valueType) throw filterError(`labels have no typed values at ${last.pos}`);
    return { kind: "label", key: key.text };
  }
  if (path.length > 1) {
    const written = path.map((s) => s.text).join(".");
    throw filterError(`unknown field '${written}' at ${pos}: quote keys containing dots with backticks, as in \`${written}\``);
  }
  const attr = headName !== null && !valueType && Object.hasOwn(schema.attributes, headName) ? schema.attributes[headName] : undefined;
  if (attr) return { kind: "attr", name: attr.name, type: attr.type };
  if (headName !== null && schema.unsupported && Object.hasOwn(schema.unsupported, headName)) {
    throw filterError(`field '${head.text}' at ${pos} ${schema.unsupported[headName]}`);
  }
  return { kind: "property", key: head.text, valueType };
}

/**
 * When a bare name counts as a typo of a built-in field: from four characters, one missing, extra
 * or swapped character (`stat`, `owenr`); from six, two. A replaced character costs two, because
 * in short words it more often makes another word than a typo (`stage` is not `state`). Shorter
 * names are never typos (`ip` is not `id`).
 */
const FIELD_TYPO = { minLength: 4, maxDistance: (length: number) => (length < 6 ? 1 : 2), costs: { substitution: 2 } };

/**
 * Refuses a bare name that resolved to a custom property but is a typo of a built-in field, naming
 * the field and how to mean the property after all. Typed (`.double_value`), prefixed and
 * backtick-quoted references always mean a property.
 */
export function refuseFieldTypo(token: Token & { kind: "path" }, field: FieldRef, schema: FilterSchema): void {
  const [only, ...more] = token.segments;
  if (field.kind !== "property" || field.valueType !== null || more.length > 0 || !only || only.quoted) return;
  if (only.text.length < FIELD_TYPO.minLength) return;
  const match = closestName(only.text, Object.keys(schema.attributes), FIELD_TYPO.maxDistance(only.text.length), FIELD_TYPO.costs);
  if (match === undefined) return;
  throw filterError(
    `unknown field ${quoteForMessage(only.text)} at ${token.pos}: did you mean ${match}? (a custom property of that name is custom_properties.${only.text})`,
  );
}

/** A string literal as it would be written in a filter, for hints. */
export function quoteString(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}'`;
}

function isPrefix(segment: PathSegment): boolean {
  const name = segment.text.toLowerCase();
  return !segment.quoted && (name === "labels" || name === "custom_properties");
}

const ORDERING_OPS: ReadonlySet<CmpOp> = new Set(["<", "<=", ">", ">="]);

/**
 * Checks that a literal suits the field and operator and converts it to the stored form: times
 * become epoch millis, enum values their listed spelling, ints compared with doubles doubles.
 */
export function coerceLiteral(field: FieldRef, op: CmpOp, value: Literal, pos: number, name: string, schema: FilterSchema): Literal {
  const fail = (want: string): never => {
    throw filterError(`field '${name}' ${want} at ${pos}`);
  };
  const isLike = op === "LIKE" || op === "ILIKE";
  if (isLike && value.kind !== "string") fail(`${op} needs a string pattern`);
  switch (field.kind) {
    case "label":
      return value.kind === "string" ? value : fail("needs a string value");
    case "attr":
      return coerceAttr(field.type, attrValues(schema, field.name), op, value, fail);
    case "property":
      if (isLike && field.valueType !== null && field.valueType !== "string") fail(`${op} needs a string property`);
      if (value.kind === "bool" && ORDERING_OPS.has(op)) fail(`${op} needs a number or string value`);
      switch (field.valueType) {
        case null:
          return value;
        case "string":
          return value.kind === "string" ? value : fail("needs a string value");
        case "int":
          return value.kind === "int" ? value : fail("needs an integer value");
        case "double":
          if (value.kind === "int") return { kind: "double", value: Number(value.value) };
          return value.kind === "double" ? value : fail("needs a number value");
        case "bool":
          return value.kind === "bool" ? value : fail("needs TRUE or FALSE");
      }
  }
}

function attrValues(schema: FilterSchema, canonical: string): readonly string[] {
  for (const attr of Object.values(schema.attributes)) if (attr.name === canonical && attr.values) return attr.values;
  return [];
}

function coerceAttr(type: AttrType, values: readonly string[], op: CmpOp, value: Literal, fail: (want: string) => never): Literal {
  if (type !== "string" && (op === "LIKE" || op === "ILIKE")) fail(`${op} needs a string field`);
  switch (type) {
    case "string":
      return value.kind === "string" ? value : fail("needs a string value");
    case "int":
      return value.kind === "int" ? value : fail("needs an integer value");
    case "time":
      if (value.kind === "int") return value;
      if (value.kind !== "string") return fail("needs an RFC 3339 time or epoch milliseconds");
      return { kind: "int", value: BigInt(parseRfc3339(value.value) ?? fail("needs an RFC 3339 time such as 2024-01-02T03:04:05Z")) };
    case "enum": {
      if (op !== "=" && op !== "!=") fail(`supports only = and != (not ${op})`);
      const wanted = value.kind === "string" ? value.value.toUpperCase().replace(/^STATE_/, "") : null;
      const match = values.find((v) => v.toUpperCase() === wanted);
      return match !== undefined ? { kind: "string", value: match } : fail(`needs one of ${values.map((v) => `'${v}'`).join(", ")}`);
    }
  }
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Epoch milliseconds of an RFC 3339 date-time (fractions beyond millis truncated), or null. */
export function parseRfc3339(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const millis = Number((m[7] ?? "0").padEnd(3, "0").slice(0, 3));
  const offsetMinutes = m[8] ? 0 : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  if (day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return null;
  if (!m[8] && (Number(m[10]) > 23 || Number(m[11]) > 59)) return null;
  // setUTCFullYear takes years below 100 literally, unlike Date.UTC.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const local = date.getTime();
  return local - offsetMinutes * 60_000;
}

/** Whether a field's value is held in another table, so that comparing it costs a subquery. */
export function inOtherTable(field: FieldRef, schema: FilterSchema): boolean {
  if (field.kind !== "attr") return true;
  return Object.values(schema.attributes).some((a) => a.name === field.name && a.related === true);
}
