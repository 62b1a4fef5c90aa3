import type { VersionSource } from "./types.js";
import type { ArtifactState, Properties, State } from "./types.js";

/** The writable fields of each resource, as a create or update carries them. */

export interface ModelInput {
  displayName: string;
  description: string;
  owner: string;
  state: State | undefined;
  labels: Record<string, string>;
  customProperties: Properties;
  readme: string;
}

export interface VersionInput {
  version: string;
  description: string;
  author: string;
  state: State | undefined;
  customProperties: Properties;
  /** Lineage: undefined leaves it as is (update), null clears it. */
  source?: VersionSource | null;
}

export interface ArtifactInput {
  displayName: string;
  description: string;
  uri: string;
  modelFormatName: string;
  modelFormatVersion: string;
  storageKey: string;
  storagePath: string;
  serviceAccountName: string;
  state: ArtifactState | undefined;
  digest: string;
  customProperties: Properties;
}

/** An update: the new values, the fields to take from them (snake_case paths), the expected etag. */
export interface Update<T> {
  input: T;
  /** null: every field with a non-default value in input; ["*"]: every field. */
  mask: string[] | null;
  etag: string;
}
