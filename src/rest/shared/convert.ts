import type { Update } from "../../registry/core/inputs.js";
import type { ExtrasPatch } from "../../registry/kubeflow/extras.js";
import type { Extras } from "../../registry/core/record-types.js";
import { decimalId } from "../../registry/core/names.js";
import { decodeUtf8 } from "../../registry/core/text.js";
import type { JsonObject, MetadataValue, Properties, State } from "../../registry/core/types.js";
import { str } from "./body.js";
import { badField } from "./errors.js";

/**
 * Domain <-> Kubeflow JSON shapes: ids and epoch-millisecond times as strings, custom properties
 * as MetadataValue objects tagged with metadataType, optional strings omitted when empty.
 */

export type Json = Record<string, unknown>;

// ---- primitives ----

export const idOut = (id: number) => String(id);
export const timeOut = (d: Date) => String(d.getTime());

/**
 * A decimal id given in a body or query parameter, at most Number.MAX_SAFE_INTEGER (a path id
 * that does not parse is a 404 instead, see RestCall.id).
 */
export function idIn(value: unknown, field: string): number {
  const id = typeof value === "string" ? decimalId(value) : undefined;
  if (id === undefined) throw badField(field, `must be a decimal id from 1 to ${Number.MAX_SAFE_INTEGER}, such as "12"`, "INVALID_ID");
  return id;
}

/** Epoch milliseconds as a decimal string. */
export function timeIn(value: unknown, field: string): Date {
  if (typeof value !== "string" || !/^[0-9]{1,15}$/.test(value)) throw badField(field, "must be epoch milliseconds as a decimal string");
  return new Date(Number(value));
}

export function enumIn<T extends string>(value: unknown, field: string, values: readonly T[]): T {
  if (typeof value !== "string" || !(values as readonly string[]).includes(value)) {
    throw badField(field, `must be one of ${values.join(", ")}`, "INVALID_ENUM");
  }
  return value as T;
}

/** An optional enum field of a body: undefined when absent. */
export const optionalEnumIn = <T extends string>(body: Json, field: string, values: readonly T[]): T | undefined =>
  body[field] === undefined ? undefined : enumIn(body[field], field, values);

/** The name (a display name) and description of a named resource's body, "" when absent. */
export const namedIn = (body: Json) => ({ displayName: str(body, "name") ?? "", description: str(body, "description") ?? "" });

const STATES: readonly State[] = ["LIVE", "ARCHIVED"];

/** The body of an owned resource (a model, an experiment): name, description, owner, state, custom properties. */
export function ownedIn(body: Json) {
  return {
    ...namedIn(body),
    owner: str(body, "owner") ?? "",
    state: optionalEnumIn(body, "state", STATES),
    labels: {},
    customProperties: propertiesIn(body.customProperties),
  };
}

/** Drops undefined and empty-string fields, so optional strings are absent rather than "". */
export function compact(o: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== "") out[k] = v;
  return out;
}

// ---- custom properties ----

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function metadataIn(value: unknown, field: string): MetadataValue {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw badField(field, "must be a MetadataValue object");
  const v = value as Json;
  const only = (valueField: string) => {
    for (const key of Object.keys(v)) {
      if (key !== "metadataType" && key !== valueField)
        throw badField(`${field}.${key}`, `unknown field of ${String(v.metadataType)}`, "UNKNOWN_FIELD");
    }
    if (!(valueField in v)) throw badField(`${field}.${valueField}`, "is required");
    return v[valueField];
  };
  switch (v.metadataType) {
    case "MetadataStringValue": {
      const s = only("string_value");
      if (typeof s !== "string") throw badField(`${field}.string_value`, "must be a string");
      return { type: "string", value: s };
    }
    case "MetadataIntValue": {
      const s = only("int_value");
      if (typeof s !== "string" || !/^-?[0-9]{1,19}$/.test(s)) throw badField(`${field}.int_value`, "must be an integer as a decimal string");
      const n = BigInt(s);
      if (n < INT64_MIN || n > INT64_MAX) throw badField(`${field}.int_value`, "is out of the int64 range");
      return { type: "int", value: n };
    }
    case "MetadataDoubleValue": {
      const d = only("double_value");
      if (typeof d !== "number" || !Number.isFinite(d)) throw badField(`${field}.double_value`, "must be a finite number");
      return { type: "double", value: d };
    }
    case "MetadataBoolValue": {
      const b = only("bool_value");
      if (typeof b !== "boolean") throw badField(`${field}.bool_value`, "must be true or false");
      return { type: "bool", value: b };
    }
    case "MetadataStructValue":
      return { type: "struct", value: structIn(only("struct_value"), `${field}.struct_value`) };
    case "MetadataProtoValue":
      throw badField(`${field}.metadataType`, "MetadataProtoValue is not supported; use MetadataStructValue", "UNSUPPORTED_METADATA_TYPE");
    default:
      throw badField(
        `${field}.metadataType`,
        "must be one of MetadataStringValue, MetadataIntValue, MetadataDoubleValue, MetadataBoolValue, MetadataStructValue",
        "INVALID_ENUM",
      );
  }
}

/** A struct value: base64 of a JSON object (the OpenAPI format), or the JSON object text itself. */
function structIn(value: unknown, field: string): JsonObject {
  if (typeof value !== "string") throw badField(field, "must be a base64-encoded JSON object");
  // Decoded bytes that are not UTF-8 are marked, not replaced, so the text rule refuses them (registry/text.ts).
  const text = value.trimStart().startsWith("{") ? value : decodeUtf8(Buffer.from(value, "base64"));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badField(field, "must be a base64-encoded JSON object");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw badField(field, "must be a base64-encoded JSON object");
  return parsed as JsonObject;
}

export function propertiesIn(value: unknown, field = "customProperties"): Properties {
  if (value === undefined) return {};
  const entries = Object.entries(value as Json).map(([key, v]) => [key, metadataIn(v, `${field}.${key}`)] as const);
  return Object.fromEntries(entries);
}

export function metadataOut(value: MetadataValue): Json {
  switch (value.type) {
    case "string":
      return { metadataType: "MetadataStringValue", string_value: value.value };
    case "int":
      return { metadataType: "MetadataIntValue", int_value: value.value.toString() };
    case "double":
      return { metadataType: "MetadataDoubleValue", double_value: value.value };
    case "bool":
      return { metadataType: "MetadataBoolValue", bool_value: value.value };
    case "struct":
      return { metadataType: "MetadataStructValue", struct_value: Buffer.from(JSON.stringify(value.value)).toString("base64") };
  }
}

export function propertiesOut(props: Properties): Json {
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, metadataOut(v)]));
}

// ---- parsed request bodies ----

/** A parsed create or update body: the domain input, the fields it names (snake_case mask paths) and the extras. */
export interface Parsed<T> {
  input: T;
  mask: string[];
  extras: ExtrasPatch;
}

/** The Update of a parsed PATCH body (absent fields unchanged; customProperties replaced whole). */
export const updateOf = <T>(parsed: Parsed<T>): Update<T> => ({ input: parsed.input, mask: parsed.mask, etag: "" });

/** Collects the mask paths of the body fields present. */
export function maskOf(body: Json, paths: Record<string, string>): string[] {
  return Object.keys(paths)
    .filter((field) => body[field] !== undefined)
    .map((field) => paths[field]!);
}

/** Extras of a body: externalId and the listed Kubeflow-only fields (null in a PATCH removes them). */
export function extrasPatchOf(body: Json, fields: readonly string[]): ExtrasPatch {
  const patch: ExtrasPatch = {};
  if ("externalId" in body) patch.externalId = typeof body.externalId === "string" ? body.externalId : null;
  const present = fields.filter((f) => f in body);
  if (present.length > 0) patch.fields = Object.fromEntries(present.map((f) => [f, (body[f] ?? null) as JsonObject[string] | null]));
  return patch;
}

// ---- responses ----

/** The fields every stored resource shows: its id, external id, and create and update times. */
export const resourceFields = (r: { id: number; createTime: Date; updateTime: Date }, extras: Extras | undefined) => ({
  id: idOut(r.id),
  externalId: extras?.externalId ?? undefined,
  createTimeSinceEpoch: timeOut(r.createTime),
  lastUpdateTimeSinceEpoch: timeOut(r.updateTime),
});

/** What a named resource is shown with: the stored fields, its name and description, its own fields, its custom properties. */
interface Named {
  id: number;
  createTime: Date;
  updateTime: Date;
  displayName: string;
  description: string;
  customProperties: Properties;
}

/**
 * A named resource's JSON, in Kubeflow's field order: stored fields, name, the parent's id (`under`),
 * description, `own`, customProperties.
 */
export function namedOut(r: Named, extras: Extras | undefined, own: Json, under: Json = {}): Json {
  return compact({
    ...resourceFields(r, extras),
    name: r.displayName,
    ...under,
    description: r.description,
    ...own,
    customProperties: propertiesOut(r.customProperties),
  });
}

/** The listed Kubeflow-only fields an extras record holds. */
export const pickExtras = (extras: Extras | undefined, fields: readonly string[]): Json =>
  Object.fromEntries(fields.filter((f) => extras?.fields[f] !== undefined).map((f) => [f, extras!.fields[f]]));
