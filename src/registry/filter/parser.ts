import { closestName } from "../../did-you-mean.js";
import { InvalidArgumentError } from "../errors.js";
import type { AttrType, CmpOp, FieldRef, FilterExpr, FilterSchema, Literal, PropertyValueType } from "./ast.js";
import { type Keyword, type PathSegment, type Token, filterError, quoteForMessage, tokenize } from "./lexer.js";

/**
 * Bounds on what one filter may cost to parse and to run, the same on every engine and for List
 * and Watch alike (docs/filters.md). Each is checked here, before any SQL exists, and refused as
 * INVALID_ARGUMENT with reason FILTER_TOO_COMPLEX, naming the limit and its number (ErrorInfo
 * metadata `limit` and `value` too): a filter over a limit is refused on any database, so a
 * client meets the limit in development rather than as a slow query in production.
 */
export interface FilterLimits {
  /** Longest accepted text, in UTF-16 code units (default 4096). */
  maxLength?: number;
  /** Deepest nesting of parentheses and NOTs (default 32); the top level counts as 1. */
  maxDepth?: number;
  /**
   * Most comparisons whose value lives in another table: custom properties, labels, and the
   * attributes a schema marks `related` (a version's alias). Each compiles to one correlated
   * EXISTS subquery, and Postgres plans an AND of n of them as an n-way join whose planning time
   * grows steeply with n (measured on an empty database: 16 ≈ 45 ms, 32 ≈ 170–290 ms, 48 ≈
   * 0.6 s, 200 ≈ 25 s). Default 20. `x IN (…)` counts as one.
   */
  maxPropertyComparisons?: number;
  /** Most values in one `IN (…)` list (default 100); a list compiles to one SQL `IN`. */
  maxInValues?: number;
}

/** How a filter is parsed: its limits, and whether to help a person who typed it. */
export interface FilterOptions extends FilterLimits {
  /**
   * Typo hints, for filters people type (the native API sets this; the Kubeflow REST gateway does
   * not, because Kubeflow answers a name it does not know with an empty page). A bare name a typo
   * away from a built-in field is refused ("did you mean state?") instead of read as a custom
   * property that matches nothing, and a bare word where a value belongs is answered with how to
   * quote it. Both are decided from the text and the schema alone, never from stored data: a
   * filter accepted today is accepted tomorrow, and a name far from every built-in field stays a
   * custom-property filter (closeness is in FIELD_TYPO).
   */
  hints?: boolean;
}

export const DEFAULT_FILTER_MAX_LENGTH = 4096;
export const DEFAULT_FILTER_MAX_DEPTH = 32;
export const DEFAULT_FILTER_MAX_PROPERTY_COMPARISONS = 20;
export const DEFAULT_FILTER_MAX_IN_VALUES = 100;

/** The refusal of a filter over one of its limits; `limit` is the limit's documented name. */
function tooComplex(what: string, limit: string, value: number): InvalidArgumentError {
  return InvalidArgumentError.field("filter", what, "FILTER_TOO_COMPLEX", { limit, value: String(value) });
}

/**
 * Parses a filter (DESIGN.md §5) into a tree over the schema's allow-listed fields; null when
 * the text is empty. Throws InvalidArgumentError (reason INVALID_FILTER, message naming the
 * 0-based position, or FILTER_TOO_COMPLEX over a FilterLimits bound), and nothing else: the
 * depth limit bounds recursion, so hostile input cannot overflow the stack.
 */
export function parseFilter(text: string, schema: FilterSchema, options: FilterOptions = {}): FilterExpr | null {
  const maxLength = options.maxLength ?? DEFAULT_FILTER_MAX_LENGTH;
  if (text.length > maxLength) {
    throw tooComplex(`${text.length} characters, longer than the limit of ${maxLength} characters (filter-length)`, "filter-length", maxLength);
  }
  if (text.trim() === "") return null;
  const limits: Required<Omit<FilterLimits, "maxLength">> = {
    maxDepth: options.maxDepth ?? DEFAULT_FILTER_MAX_DEPTH,
    maxPropertyComparisons: options.maxPropertyComparisons ?? DEFAULT_FILTER_MAX_PROPERTY_COMPARISONS,
    maxInValues: options.maxInValues ?? DEFAULT_FILTER_MAX_IN_VALUES,
  };
  const parser = new Parser(tokenize(text), schema, limits, options.hints === true);
  try {
    return parser.parse();
  } catch (error) {
    // A caller-raised maxDepth could still exhaust the stack; report it as the limit it is.
    if (error instanceof RangeError) {
      throw tooComplex("nested too deeply to parse (filter-depth)", "filter-depth", limits.maxDepth);
    }
    throw error;
  }
}

/** Recursive descent over the token list, one method per grammar rule. */
class Parser {
  private i = 0;
  private depth = 0;
  /** Comparisons counted against maxPropertyComparisons so far. */
  private propertyComparisons = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly schema: FilterSchema,
    private readonly limits: Required<Omit<FilterLimits, "maxLength">>,
    private readonly hints: boolean,
  ) {}

  parse(): FilterExpr {
    const expr = this.or();
    this.expectEnd();
    return expr;
  }

  private or(): FilterExpr {
    return this.nested(() => this.chain("or", "OR", () => this.and()));
  }

  private and(): FilterExpr {
    return this.chain("and", "AND", () => this.unary());
  }

  /** `item (KEYWORD item)*`, flattening same-kind children so `a AND (b AND c)` has three items. */
  private chain(kind: "and" | "or", keyword: Keyword, item: () => FilterExpr): FilterExpr {
    const items: FilterExpr[] = [];
    do {
      const next = item();
      if (next.kind === kind) items.push(...next.items);
      else items.push(next);
    } while (this.acceptKeyword(keyword));
    return items.length === 1 ? (items[0] as FilterExpr) : { kind, items };
  }

  private unary(): FilterExpr {
    const token = this.peek();
    if (this.acceptKeyword("NOT")) return this.nested(() => ({ kind: "not", expr: this.unary() }));
    if (token.kind === "punct" && token.punct === "(") {
      this.i++;
      const expr = this.or();
      this.expectPunct(")");
      return expr;
    }
    return this.cmp();
  }

  private cmp(): FilterExpr {
    const token = this.next();
    if (token.kind !== "path") throw unexpected(token);
    const field = resolveField(token.segments, token.pos, this.schema);
    if (this.hints) refuseFieldTypo(token, field, this.schema);
    this.countComparison(field, token.pos);
    const opToken = this.next();
    if (opToken.kind === "op") {
      return this.comparison(field, opToken.op, fieldName(token));
    }
    if (opToken.kind === "keyword") {
      switch (opToken.keyword) {
        case "LIKE":
        case "ILIKE":
          return this.comparison(field, opToken.keyword, fieldName(token));
        case "IN":
          return this.inList(field, fieldName(token));
        case "IS": {
          const negated = this.acceptKeyword("NOT");
          this.expectKeyword("NULL");
          return { kind: "null", field, negated };
        }
      }
    }
    throw unexpected(opToken);
  }

  private comparison(field: FieldRef, op: CmpOp, name: string): FilterExpr {
    const [value, pos] = this.literal((word) => `${name} ${op} ${word}`);
    return { kind: "cmp", field, op, value: coerceLiteral(field, op, value, pos, name, this.schema) };
  }

  private inList(field: FieldRef, name: string): FilterExpr {
    this.expectPunct("(");
    const values: Literal[] = [];
    const max = this.limits.maxInValues;
    do {
      const [value, pos] = this.literal((word) => `${name} IN (${values.length > 0 ? "…, " : ""}${word}, …)`);
      if (values.length === max) {
        throw tooComplex(`IN list with more than the limit of ${max} values (filter-in-values) at ${pos}`, "filter-in-values", max);
      }
      values.push(coerceLiteral(field, "=", value, pos, name, this.schema));
    } while (this.acceptPunct(","));
    this.expectPunct(")");
    return { kind: "in", field, values };
  }

  /** A value; `example` shows, with hints on, where the quoted form of a bare word goes. */
  private literal(example: (quoted: string) => string): [Literal, number] {
    const token = this.next();
    switch (token.kind) {
      case "string":
      case "int":
      case "double":
        return [{ kind: token.kind, value: token.value } as Literal, token.pos];
      case "keyword":
        if (token.keyword === "TRUE" || token.keyword === "FALSE") {
          return [{ kind: "bool", value: token.keyword === "TRUE" }, token.pos];
        }
        if (token.keyword === "NULL") throw filterError(`unexpected NULL at ${token.pos}: use IS NULL or IS NOT NULL`);
        break;
      case "path":
        if (this.hints) {
          const word = token.segments.map((s) => s.text).join(".");
          throw filterError(`unexpected ${describe(token)} at ${token.pos}; quote strings: ${example(quoteString(word))}`);
        }
    }
    throw unexpected(token);
  }

  /** Counts a comparison whose value lives in another table (see maxPropertyComparisons). */
  private countComparison(field: FieldRef, pos: number): void {
    if (!inOtherTable(field, this.schema)) return;
    const max = this.limits.maxPropertyComparisons;
    if (++this.propertyComparisons > max) {
      throw tooComplex(
        `more than the limit of ${max} comparisons on custom properties, labels or aliases (filter-property-comparisons); the one over it is at ${pos}`,
        "filter-property-comparisons",
        max,
      );
    }
  }

  /** Runs one level of nesting, enforcing maxDepth before recursing further. */
  private nested<T>(body: () => T): T {
    const max = this.limits.maxDepth;
    if (++this.depth > max) {
      throw tooComplex(`nested deeper than the limit of ${max} at ${this.peek().pos} (filter-depth)`, "filter-depth", max);
    }
    try {
      return body();
    } finally {
      this.depth--;
    }
  }

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  /** Consumes a token; the trailing eof is never consumed, so peeking past the end is safe. */
  private next(): Token {
    const token = this.peek();
    if (token.kind !== "eof") this.i++;
    return token;
  }

  private acceptKeyword(keyword: Keyword): boolean {
    const token = this.peek();
    if (token.kind !== "keyword" || token.keyword !== keyword) return false;
    this.i++;
    return true;
  }

  private acceptPunct(punct: "(" | ")" | ","): boolean {
    const token = this.peek();
    if (token.kind !== "punct" || token.punct !== punct) return false;
    this.i++;
    return true;
  }

  private expectKeyword(keyword: Keyword): void {
    if (!this.acceptKeyword(keyword)) throw unexpected(this.peek());
  }

  private expectPunct(punct: "(" | ")" | ","): void {
    if (!this.acceptPunct(punct)) throw unexpected(this.peek());
  }

  private expectEnd(): void {
    const token = this.peek();
    if (token.kind !== "eof") throw unexpected(token);
  }
}

/** Whether a field's value is held in another table, so that comparing it costs a subquery. */
function inOtherTable(field: FieldRef, schema: FilterSchema): boolean {
  if (field.kind !== "attr") return true;
  return Object.values(schema.attributes).some((a) => a.name === field.name && a.related === true);
}

/** The field as the user spelled it, for messages. */
function fieldName(token: Token & { kind: "path" }): string {
  return token.segments.map((s) => (s.quoted ? `\`${s.text}\`` : s.text)).join(".");
}

function unexpected(token: Token): Error {
  return filterError(token.kind === "eof" ? `unexpected end of filter at ${token.pos}` : `unexpected ${describe(token)} at ${token.pos}`);
}

function describe(token: Token): string {
  switch (token.kind) {
    case "keyword":
      return token.keyword;
    case "path":
      return quoteForMessage(token.segments.map((s) => s.text).join("."));
    case "string":
      return "string";
    case "int":
    case "double":
      return quoteForMessage(String(token.value));
    case "op":
      return quoteForMessage(token.op);
    case "punct":
      return quoteForMessage(token.punct);
    case "eof":
      return "end of filter";
  }
}

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
function resolveField(segments: PathSegment[], pos: number, schema: FilterSchema): FieldRef {
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
function refuseFieldTypo(token: Token & { kind: "path" }, field: FieldRef, schema: FilterSchema): void {
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
function quoteString(text: string): string {
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
function coerceLiteral(field: FieldRef, op: CmpOp, value: Literal, pos: number, name: string, schema: FilterSchema): Literal {
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
