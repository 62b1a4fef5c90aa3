import { InvalidArgumentError } from "../core/errors.js";

/**
 * The filter language's tokens. Field references are lexed whole ("path" tokens: segments
 * joined by dots, no spaces) so that the parser sees `custom_properties.`a.b`.double_value` as
 * one field, and a keyword is only ever a single bare word.
 */

export const KEYWORDS = ["AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "ILIKE", "TRUE", "FALSE"] as const;
export type Keyword = (typeof KEYWORDS)[number];

/** One segment of a field path; `quoted` segments came from backticks and are never keywords or suffixes. */
export interface PathSegment {
  text: string;
  quoted: boolean;
  pos: number;
}

export type Token = { pos: number; end: number } & (
  | { kind: "keyword"; keyword: Keyword }
  | { kind: "path"; segments: PathSegment[] }
  | { kind: "string"; value: string }
  | { kind: "int"; value: bigint }
  | { kind: "double"; value: number }
  | { kind: "op"; op: "=" | "!=" | "<" | "<=" | ">" | ">=" }
  | { kind: "punct"; punct: "(" | ")" | "," }
  | { kind: "eof" }
);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const IDENT_START = /[A-Za-z_]/;
/** `-` may continue a word (label and property keys such as `team-name`); no arithmetic exists to clash with. */
const IDENT_PART = /[A-Za-z0-9_-]/;
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const ESCAPES: ReadonlyMap<string, string> = new Map([
  ["\\", "\\"],
  ["'", "'"],
  ['"', '"'],
  ["`", "`"],
  ["n", "\n"],
  ["t", "\t"],
  ["r", "\r"],
]);
const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);

/** The single error type of the filter language: field "filter", reason INVALID_FILTER. */
export function filterError(description: string): InvalidArgumentError {
  return InvalidArgumentError.field("filter", description, "INVALID_FILTER");
}

/** Shows a token or character in a message without letting control characters through. */
export function quoteForMessage(text: string): string {
  const shown = text.length > 20 ? `${text.slice(0, 20)}…` : text;
  return `'${shown.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}'`;
}

/** Splits filter text into tokens, ending with an "eof" token at text.length. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      const { value, end } = readQuoted(text, i, c, "string");
      tokens.push({ kind: "string", value, pos: start, end });
      i = end;
    } else if (IDENT_START.test(c) || c === "`") {
      const token = readPath(text, i);
      tokens.push(token);
      i = token.end;
    } else if (/[0-9+\-.]/.test(c)) {
      const token = readNumber(text, i);
      tokens.push(token);
      i = token.end;
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push({ kind: "punct", punct: c, pos: start, end: i + 1 });
      i++;
    } else {
      const two = text.slice(i, i + 2);
      if (two === "!=" || two === "<>" || two === "<=" || two === ">=") {
        tokens.push({ kind: "op", op: two === "<>" ? "!=" : two, pos: start, end: i + 2 });
        i += 2;
      } else if (c === "=" || c === "<" || c === ">") {
        tokens.push({ kind: "op", op: c, pos: start, end: i + 1 });
        i++;
      } else {
        throw filterError(`unexpected ${quoteForMessage(String.fromCodePoint(text.codePointAt(i) ?? 0))} at ${i}`);
      }
    }
  }
  tokens.push({ kind: "eof", pos: text.length, end: text.length });
  return tokens;
}

/** Reads a '…', "…" or `…` literal starting at the opening quote; returns the unescaped text. */
function readQuoted(text: string, start: number, quote: string, what: "string" | "quoted key"): { value: string; end: number } {
  let value = "";
  let i = start + 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === quote) {
      // Nothing stored can hold a NUL (the API refuses it), and Postgres cannot even compare one.
      if (value.includes("\u0000")) throw filterError(`NUL (\\u0000) in the ${what} at ${start}`);
      return { value, end: i + 1 };
    }
    if (c !== "\\") {
      value += c;
      i++;
      continue;
    }
    const e = text[i + 1];
    const simple = e === undefined ? undefined : ESCAPES.get(e);
    if (simple !== undefined) {
      value += simple;
      i += 2;
    } else if (e === "u" && /^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) {
      value += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else if (e === undefined) {
      break;
    } else {
      throw filterError(`invalid escape ${quoteForMessage(`\\${e}`)} at ${i}`);
    }
  }
  throw filterError(`unterminated ${what} at ${start}`);
}

/** Reads `segment(.segment)*` where a segment is a bare word or a backtick-quoted key; maps lone bare keywords. */
function readPath(text: string, start: number): Token {
  const segments: PathSegment[] = [];
  let i = start;
  for (;;) {
    const c = text[i];
    if (c === "`") {
      const { value, end } = readQuoted(text, i, "`", "quoted key");
      if (value === "") throw filterError(`empty quoted key at ${i}`);
      segments.push({ text: value, quoted: true, pos: i });
      i = end;
    } else if (c !== undefined && IDENT_START.test(c)) {
      let j = i + 1;
      while (j < text.length && IDENT_PART.test(text[j] as string)) j++;
      segments.push({ text: text.slice(i, j), quoted: false, pos: i });
      i = j;
    } else {
      throw filterError(`expected a key after '.' at ${i}`);
    }
    if (text[i] !== ".") break;
    i++;
  }
  const only = segments[0] as PathSegment;
  const upper = only.text.toUpperCase();
  if (segments.length === 1 && !only.quoted && KEYWORD_SET.has(upper)) {
    return { kind: "keyword", keyword: upper as Keyword, pos: start, end: i };
  }
  return { kind: "path", segments, pos: start, end: i };
}

/** Integers become exact int64 literals; anything with a fraction or exponent is a finite double. */
function readNumber(text: string, start: number): Token {
  NUMBER.lastIndex = start;
  const match = NUMBER.exec(text);
  if (!match) throw filterError(`unexpected ${quoteForMessage(text[start] as string)} at ${start}`);
  const raw = match[0];
  const end = start + raw.length;
  if (end < text.length && /[A-Za-z0-9_.`-]/.test(text[end] as string)) {
    throw filterError(`invalid number at ${start}`);
  }
  if (/^[+-]?\d+$/.test(raw)) {
    const value = BigInt(raw);
    if (value < INT64_MIN || value > INT64_MAX) throw filterError(`integer out of range at ${start}`);
    return { kind: "int", value, pos: start, end };
  }
  const value = Number(raw);
  if (!Number.isFinite(value)) throw filterError(`number out of range at ${start}`);
  return { kind: "double", value, pos: start, end };
}
