import type http from "node:http";
import type http2 from "node:http2";
import { decodeUtf8, escapeText, wellFormed } from "../../registry/core/text.js";
import { jsonProblem } from "../../registry/core/validate.js";
import { badField, requiredField, RestError } from "./errors.js";

/**
 * Strict JSON request bodies. Every request schema of the Kubeflow API lists its fields; a field
 * it does not list is a 400 naming the field (a typo such as `desciption` is never silently
 * dropped, as with Kubeflow's server), and so is a field of the wrong JSON type.
 */

export type FieldType = "string" | "number" | "integer" | "boolean" | "object" | "strings";

/** The fields a request body may carry, with their JSON types. */
export type Shape = Readonly<Record<string, FieldType>>;

export type IncomingRequest = http.IncomingMessage | http2.Http2ServerRequest;

/**
 * Deepest nesting of a request body (objects and arrays; the body is level 1), as for RPC
 * requests (src/api/shared/limits-input.ts). Real bodies are a few levels deep (a custom property value
 * is at level 3); JSON.parse takes any depth, but the recursive code after it (JSON.stringify of
 * a stored value, the database's JSON parser) does not.
 */
export const MAX_BODY_DEPTH = 32;

/** A body field path for messages: a few keys, clipped, with NUL shown escaped. */
function shownPath(path: string[]): string {
  const keys = path.slice(0, 4).map((k) => escapeText(k.length > 64 ? `${k.slice(0, 64)}…` : k));
  return (keys.join(".") || "body") + (path.length > 4 ? ".…" : "");
}

/**
 * The body's bytes, at most maxBytes. A larger body is a 413 without reading it to the end into
 * memory; the request stream is not destroyed (leaving a for-await loop early would destroy it,
 * and with it an HTTP/1.1 keep-alive connection the client goes on to reuse): the rest of the
 * body flows on unread and Node drains it after the response, keeping the connection usable.
 */
function readBytes(req: IncomingRequest, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: unknown) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", finish);
      req.off("close", onClose);
      if (error === undefined) resolve(Buffer.concat(chunks));
      else reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) finish(new RestError(413, `request body larger than ${maxBytes} bytes`, "REQUEST_TOO_LARGE"));
      else chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onClose = () => finish(new RestError(400, "the request body ended early", "INVALID_JSON"));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", finish);
    req.on("close", onClose);
  });
}

/**
 * A body must say it is JSON (`application/json`, or a `+json` type). Browsers send text/plain,
 * form and multipart bodies across origins without a CORS preflight (and a Blob body with no
 * content-type at all), so accepting them would let any web page a user opens make that user's
 * browser write to a registry on localhost or an internal address. A JSON content-type needs a
 * preflight, which only --cors-allowed-origins answers.
 */
function checkJsonContentType(req: IncomingRequest): void {
  const type = String(req.headers["content-type"] ?? "")
    .split(";")[0]!
    .trim()
    .toLowerCase();
  if (type === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return;
  throw new RestError(
    415,
    `the body must be JSON: send content-type: application/json${type === "" ? "" : ` (got ${type.slice(0, 100)})`}`,
    "UNSUPPORTED_MEDIA_TYPE",
  );
}

/** Reads and parses a JSON object body of at most maxBytes. */
export async function readJsonObject(req: IncomingRequest, maxBytes: number): Promise<Record<string, unknown>> {
  checkJsonContentType(req);
  // Invalid UTF-8 is marked, not replaced (src/registry/text.ts): refused below in the field it is in.
  const text = decodeUtf8(await readBytes(req, maxBytes));
  if (text.trim() === "") throw new RestError(400, "a JSON object body is required", "INVALID_JSON");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (!wellFormed(text)) throw new RestError(400, "the body is not valid UTF-8", "INVALID_UNICODE");
    throw new RestError(400, `the body is not valid JSON: ${(error as Error).message}`, "INVALID_JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RestError(400, "the body must be a JSON object", "INVALID_JSON");
  }
  const problem = jsonProblem(value, MAX_BODY_DEPTH);
  if (problem?.kind === "too-deep") throw badField(shownPath(problem.path), `${problem.description} (max-request-depth)`, problem.reason);
  if (problem?.kind === "text") throw badField(shownPath(problem.path), problem.description, problem.reason);
  return value as Record<string, unknown>;
}

/**
 * Checks a body against a shape as Kubeflow's server decodes it (Go's encoding/json with
 * DisallowUnknownFields): a field the schema does not list is a 400 whose message is Go's,
 * `json: unknown field "ext_id"`; a key matches a field case-insensitively when no field has
 * it exactly (`registeredModelID` is registeredModelId, as in Kubeflow's own examples; of two
 * spellings of one field the later wins). A field of the wrong JSON type is a 400 too. Null
 * counts as absent.
 */
export function checkShape(body: Record<string, unknown>, shape: Shape, _schema: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const field = Object.hasOwn(shape, key) ? key : Object.keys(shape).find((f) => f.toLowerCase() === key.toLowerCase());
    if (field === undefined)
      throw new RestError(400, `json: unknown field ${JSON.stringify(key.length > 256 ? `${key.slice(0, 256)}…` : key)}`, "UNKNOWN_FIELD");
    const type = shape[field]!;
    if (value === null) {
      delete out[field];
      continue;
    }
    if (!hasType(value, type)) throw badField(field, `must be ${describe(type)}`, "INVALID_FIELD_TYPE");
    Object.defineProperty(out, field, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * The required fields of a request schema, checked as Kubeflow's server does after decoding: the
 * first one absent, null or empty is a 422 `required field 'name' is zero value.`
 */
export function required(body: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  for (const field of fields) if (body[field] === undefined || body[field] === "") throw requiredField(field);
  return body;
}

function hasType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isSafeInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "strings":
      return Array.isArray(value) && value.every((v) => typeof v === "string");
  }
}

function describe(type: FieldType): string {
  return type === "strings" ? "an array of strings" : type === "object" || type === "integer" ? `an ${type}` : `a ${type}`;
}

/** A string field, or undefined when absent. */
export const str = (body: Record<string, unknown>, field: string): string | undefined =>
  typeof body[field] === "string" ? (body[field] as string) : undefined;
