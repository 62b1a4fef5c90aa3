import type { VersionSource, Properties, State, ArtifactFields } from "./types.js";
import type { Draft, OwnedFields } from "./values.js";

/** The writable fields of each resource, as a create or update carries them. */

export type ModelInput = Draft<OwnedFields> & { readme: string };

export interface VersionInput {
  version: string;
  description: string;
  author: string;
  state: State | undefined;
  customProperties: Properties;
  /** Lineage: undefined leaves it as is (update), null clears it. */
  source?: VersionSource | null;
}

export type ArtifactInput = Draft<ArtifactFields>;

/** An update: the new values, the fields to take from them (snake_case paths), the expected etag. */
export interface Update<T> {
  input: T;
  /** null: every field with a non-default value in input; ["*"]: every field. */
  mask: string[] | null;
  etag: string;
}
