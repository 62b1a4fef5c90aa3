import type { Interceptor } from "@connectrpc/connect";
import { createAsyncIterable } from "@connectrpc/connect/protocol";
import { InvalidArgumentError, ResourceExhaustedError } from "../registry/errors.js";

/**
 * Deepest nesting of messages, lists, maps and Struct values in a request (real ones are under
 * 10). Below protobuf-es's binary recursion limit (100 messages, two per Struct level), so JSON
 * and binary requests meet the same limit.
 */
export const MAX_REQUEST_DEPTH = 32;

/**
 * Checks every request message, of every RPC, before its handler sees it:
 * - no string anywhere (fields, map keys, Struct keys and values) contains NUL (U+0000):
 *   Postgres cannot store it in text or jsonb and SQLite would, so letting it through would make
 *   the two stores disagree (and a NUL never means anything in a name, a URI or a description):
 *   INVALID_ARGUMENT naming the field;
 * - nesting (custom_properties Struct values within messages) is at most MAX_REQUEST_DEPTH
 *   levels: RESOURCE_EXHAUSTED naming the limit, before a recursive encoder, a JSON column or
 *   a response serializer meets it.
 * The request of a server stream (Watch) is checked before its handler starts.
 */
export function createInputGuard(maxDepth = MAX_REQUEST_DEPTH): Interceptor {
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
const shown = (key: string) => key.replace(/\u0000/g, "\\u0000");

/** A set oneof of protobuf-es: { case: "fieldName", value }. */
function isOneof(value: unknown): value is { case: string; value: unknown } {
  return typeof value === "object" && value !== null && typeof (value as { case?: unknown }).case === "string" && "value" in value;
}

function checkValue(value: unknown, path: string, depth: number, maxDepth: number): void {
  if (typeof value === "string") {
    if (value.includes("\u0000")) throw InvalidArgumentError.field(path || "request", "must not contain NUL characters (U+0000)", "INVALID_CHARACTER");
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
    if (!isMessage && key.includes("\u0000")) {
      throw InvalidArgumentError.field(join(path, shown(key)), "keys must not contain NUL characters (U+0000)", "INVALID_CHARACTER");
    }
    const child = object[key];
    // A message's oneof is named by its set field (custom_properties.k.string_value), as in proto paths.
    const name = isMessage && isOneof(child) ? snake(child.case) : isMessage ? snake(key) : key;
    checkValue(isMessage && isOneof(child) ? child.value : child, join(path, name), depth + 1, maxDepth);
  }
}
