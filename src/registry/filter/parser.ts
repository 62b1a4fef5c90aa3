import { InvalidArgumentError } from "../core/errors.js";
import type { CmpOp, FieldRef, FilterExpr, FilterSchema, Literal } from "./ast.js";
import { type Keyword, type Token, filterError, quoteForMessage, tokenize } from "./lexer.js";
import { coerceLiteral, quoteString, refuseFieldTypo, resolveField, inOtherTable } from "./fields.js";

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
