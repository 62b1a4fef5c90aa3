import type { JsonReadOptions } from "@bufbuild/protobuf";
import { configureTextEncoding, getTextEncoding } from "@bufbuild/protobuf/wire";
import type { Interceptor } from "@connectrpc/connect";
import { createAsyncIterable } from "@connectrpc/connect/protocol";
import { InvalidArgumentError, ResourceExhaustedError } from "../../registry/core/errors.js";
import { decodeUtf8, escapeText, textProblem } from "../../registry/core/text.js";

/**
 * Deepest nesting of messages, lists, maps and Struct values in a request (real ones are under
 * 10). Below protobuf-es's binary recursion limit (100 messages, two per Struct level), so JSON
 * and binary requests meet the same limit.
 */
export const MAX_REQUEST_DEPTH = 32;

/**
 * Checks every request message, of every RPC, before its handler sees it:
 * - every string (fields, map keys, Struct keys and values) follows the text rule
 *   (src/registry/text.ts), INVALID_ARGUMENT naming the field otherwise: no NUL (U+0000), which
 *   Postgres cannot store in text or jsonb and SQLite would, so letting it through would make the
 *   two stores disagree (and a NUL never means anything in a name, a URI or a description), and
 *   valid Unicode only (reason INVALID_UNICODE): no unpaired surrogate (`"\ud800"` in JSON), and
 *   no invalid UTF-8, which the decoders mark instead of replacing (see decodeRequestText);
 * - nesting (custom_properties Struct values within messages) is at most MAX_REQUEST_DEPTH
 *   levels: RESOURCE_EXHAUSTED naming the limit, before a recursive encoder, a JSON column or
 *   a response serializer meets it.
 * The request of a server stream (Watch) is checked before its handler starts.
 */
export function createInputGuard(maxDepth = MAX_REQUEST_DEPTH): Interceptor {
  decodeRequestText();
  return (next) => async (req) => {
    if (!req.stream) {
      checkValue(req.message, "", 0, maxDepth);
      return next(req);
    }
    if (req.method.methodKind !== "server_streaming") return next({ ...req, message: checked(req.message, maxDepth) });
    // The one request of a server stream is checked before the handler starts, however the
    // transport hands it over (the grpc-js port passes the decoded request to the handler directly).
    const messages = [];
    for await (const message of req.message) {
      checkValue(message, "", 0, maxDepth);
      messages.push(message);
    }
    return next({ ...req, message: createAsyncIterable(messages) });
  };
}

/** Client-streamed messages, checked as the handler reads them. */
async function* checked<T>(messages: AsyncIterable<T>, maxDepth: number): AsyncIterable<T> {
  for await (const message of messages) {
    checkValue(message, "", 0, maxDepth);
    yield message;
  }
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const join = (path: string, key: string) => (path === "" ? key : `${path}.${key}`);

/** A set oneof of protobuf-es: { case: "fieldName", value }. */
function isOneof(value: unknown): value is { case: string; value: unknown } {
  return typeof value === "object" && value !== null && typeof (value as { case?: unknown }).case === "string" && "value" in value;
}

function checkValue(value: unknown, path: string, depth: number, maxDepth: number): void {
  if (typeof value === "string") {
    const problem = textProblem(value);
    if (problem) throw InvalidArgumentError.field(path || "request", problem.description, problem.reason);
    return;
  }
  if (typeof value !== "object" || value === null || value instanceof Uint8Array) return;
  if (depth >= maxDepth) {
    throw new ResourceExhaustedError(`${path}: nested deeper than the limit of ${maxDepth} levels`, "REQUEST_TOO_DEEP", {
      limit: "max-request-depth",
      value: String(maxDepth),
    });
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkValue(value[i], `${path}[${i}]`, depth + 1, maxDepth);
    return;
  }
  const object = value as Record<string, unknown>;
  const isMessage = typeof object.$typeName === "string";
  for (const key in object) {
    if (isMessage && (key === "$typeName" || key === "$unknown")) continue;
    const problem = isMessage ? undefined : textProblem(key);
    if (problem) throw InvalidArgumentError.field(join(path, escapeText(key)), `keys ${problem.description}`, problem.reason);
    const child = object[key];
    // A message's oneof is named by its set field (custom_properties.k.string_value), as in proto paths.
    const name = isMessage && isOneof(child) ? snake(child.case) : isMessage ? snake(key) : key;
    checkValue(isMessage && isOneof(child) ? child.value : child, join(path, name), depth + 1, maxDepth);
  }
}

/**
 * How the main port reads JSON requests (Connect JSON, gRPC-Web JSON). Strict: connect-es ignores
 * unknown keys by default, which also drops an unknown enum name ("STATE_BOGUS") and would create
 * the resource without it; a misspelt field or value is INVALID_ARGUMENT instead (binary protobuf
 * keeps proto's forward compatibility: unknown fields are skipped, unknown enum numbers kept). The
 * body is decoded with decodeUtf8, so invalid UTF-8 reaches the guard marked instead of as U+FFFD
 * (connect-es reads `textDecoder` from these options, which the adapter's type does not list).
 */
const jsonOptions = { ignoreUnknownFields: false, textDecoder: { decode: (bytes?: Uint8Array) => decodeUtf8(bytes ?? new Uint8Array()) } };
export const REQUEST_JSON_OPTIONS: Partial<JsonReadOptions> = jsonOptions;

/**
 * Makes protobuf-es decode the string fields of binary requests (gRPC, gRPC-Web, Connect binary,
 * on both ports) with decodeUtf8: invalid UTF-8 then reaches the guard marked, in its field, and is
 * refused naming it, as in JSON. protobuf-es's own strict decoding throws a TypeError that names
 * no field. Process-wide (protobuf-es has one text encoding per process); lenient decoding, which
 * nothing in this server asks for, is kept.
 */
function decodeRequestText(): void {
  if (textDecodingSet) return;
  textDecodingSet = true;
  const encoding = getTextEncoding();
  const lenient = encoding.decodeUtf8;
  configureTextEncoding({
    ...encoding,
    decodeUtf8: (bytes, strict) => (strict ? decodeUtf8(bytes) : lenient(bytes, false)),
    // protobuf-es also checks strings parsed from JSON, with a message of its own and no field
    // path; the guard checks every string instead, so every protocol answers the same way.
    checkUtf8: () => true,
  });
}

let textDecodingSet = false;
