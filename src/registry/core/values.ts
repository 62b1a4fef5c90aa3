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

/** What every stored resource carries besides its fields: its id, its times, its last revision. */
export interface Stamps {
  id: number;
  createTime: Date;
  updateTime: Date;
  /** Revision of the last change; the etag is derived from it. */
  revision: number;
}

/** The fields of a resource that has an owner, labels and a state: models and experiments. */
export interface OwnedFields {
  displayName: string;
  description: string;
  owner: string;
  state: State;
  labels: Record<string, string>;
  customProperties: Properties;
}

/** A resource's fields as a create or update carries them: the state may be left unset. */
export type Draft<T extends { state: unknown }> = Omit<T, "state"> & { state: T["state"] | undefined };
