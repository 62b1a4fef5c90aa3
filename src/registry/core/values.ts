/** The values every resource is made of: states, JSON and typed custom properties. */

export type State = "LIVE" | "ARCHIVED";

export type ArtifactState = "UNKNOWN" | "PENDING" | "LIVE" | "MARKED_FOR_DELETION" | "DELETED" | "ABANDONED" | "REFERENCE";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A typed custom property value; int keeps int64 exactly as a bigint. */
export type MetadataValue =
  | { type: "string"; value: string }
  | { type: "int"; value: bigint }
  | { type: "double"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "struct"; value: JsonObject };

export type Properties = Record<string, MetadataValue>;
