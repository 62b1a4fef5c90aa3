/**
 * The one rule for text, on every protocol and entry point: a string the registry takes in is
 * valid Unicode. Bytes that are not UTF-8 and unpaired UTF-16 surrogates (`"\ud800"` in JSON) are
 * refused with INVALID_ARGUMENT naming the field, never replaced: a replacement (U+FFFD) or an
 * encoder's repair would store something other than what was sent, and two different names could
 * read back identical.
 *
 * Bytes are decoded with decodeUtf8, which marks each invalid sequence with an unpaired surrogate
 * (valid UTF-8 never decodes to one); the transports' checks of decoded strings (textProblem) then
 * find the mark in the field it arrived in, so a single check names the field whatever the encoding.
 */

/** A lone surrogate: with the `u` flag a well-formed pair is one code point, never in category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Stands in for an invalid UTF-8 sequence (a lone low surrogate: it cannot come from valid UTF-8). */
export const INVALID_UTF8_MARK = "\udfff";

/** The description of a string that breaks the rule. */
export const NOT_UNICODE = "must be valid Unicode text: not valid UTF-8, or an unpaired surrogate (U+D800 to U+DFFF)";

/** The description of a string holding NUL, which no store keeps the same (Postgres refuses it). */
export const HAS_NUL = "must not contain NUL characters (U+0000)";

/** Whether a string is well-formed Unicode (no unpaired surrogate, so no invalid UTF-8 mark either). */
export function wellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/**
 * What is wrong with a string taken in, if anything: a NUL (reason INVALID_CHARACTER), or text
 * that is not valid Unicode (reason INVALID_UNICODE).
 */
export function textProblem(value: string): { description: string; reason: string } | undefined {
  if (value.includes("\u0000")) return { description: HAS_NUL, reason: "INVALID_CHARACTER" };
  if (!wellFormed(value)) return { description: NOT_UNICODE, reason: "INVALID_UNICODE" };
  return undefined;
}

/** Text for messages: NUL and unpaired surrogates escaped (`\\u0000`), so a message naming a field is valid text. */
export function escapeText(value: string): string {
  return value.replace(/\u0000|\p{Cs}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const STRICT = new TextDecoder("utf-8", { fatal: true });

/**
 * Bytes as text. Valid UTF-8 decodes as usual; each byte that does not begin a well-formed
 * sequence becomes INVALID_UTF8_MARK (so textProblem refuses the string it lands in). Used for
 * protobuf string fields, Connect and gRPC-Web JSON, and REST bodies and query parameters.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  if (firstInvalidUtf8(bytes) < 0) return STRICT.decode(bytes);
  let text = "";
  let start = 0;
  for (let i = 0; i < bytes.length; ) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    text += STRICT.decode(bytes.subarray(start, i)) + INVALID_UTF8_MARK;
    start = ++i;
  }
  return text + STRICT.decode(bytes.subarray(start));
}

/** The index of the first byte that does not begin a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const length = sequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return -1;
}

/**
 * The length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF, not cut short), or 0.
 */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  if (b < 0x80) return 1;
  let extra: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) extra = 1;
  else if (b >= 0xe0 && b <= 0xef) {
    extra = 2;
    if (b === 0xe0) lo = 0xa0; // overlong
    if (b === 0xed) hi = 0x9f; // surrogates
  } else if (b >= 0xf0 && b <= 0xf4) {
    extra = 3;
    if (b === 0xf0) lo = 0x90; // overlong
    if (b === 0xf4) hi = 0x8f; // above U+10FFFF
  } else return 0;
  if (i + extra >= bytes.length) return 0;
  const second = bytes[i + 1]!;
  if (second < lo || second > hi) return 0;
  for (let k = 2; k <= extra; k++) {
    const c = bytes[i + k]!;
    if (c < 0x80 || c > 0xbf) return 0;
  }
  return extra + 1;
}
