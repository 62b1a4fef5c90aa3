import type http from "node:http";
import type http2 from "node:http2";
import { badField, RestError } from "./errors.js";

/**
 * Strict JSON request bodies. Every request schema of the Kubeflow API lists its fields; a field
 * it does not list is a 400 naming the field (a typo such as `desciption` is never silently
 * dropped), and so is a field of the wrong JSON type.
 */

export type FieldType = "string" | "number" | "integer" | "boolean" | "object" | "strings";

/** The fields a request body may carry, with their JSON types. */
export type Shape = Readonly<Record<string, FieldType>>;

export type IncomingRequest = http.IncomingMessage | http2.Http2ServerRequest;

/** Reads and parses a JSON object body of at most maxBytes. */
export async function readJsonObject(req: IncomingRequest, maxBytes: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new RestError(413, `request body larger than ${maxBytes} bytes`, "REQUEST_TOO_LARGE");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new RestError(400, "a JSON object body is required", "INVALID_JSON");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RestError(400, `the body is not valid JSON: ${(error as Error).message}`, "INVALID_JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RestError(400, "the body must be a JSON object", "INVALID_JSON");
  }
  return value as Record<string, unknown>;
}

/** Checks a body against a shape: unknown fields and wrong types are 400. Null counts as absent. */
export function checkShape(body: Record<string, unknown>, shape: Shape, what: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    const type = Object.hasOwn(shape, field) ? shape[field] : undefined;
    if (type === undefined) {
      throw badField(field, `unknown field of ${what}; the fields are ${Object.keys(shape).sort().join(", ")}`, "UNKNOWN_FIELD");
    }
    if (value === null) continue;
    if (!hasType(value, type)) throw badField(field, `must be ${describe(type)}`, "INVALID_FIELD_TYPE");
    Object.defineProperty(out, field, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
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
