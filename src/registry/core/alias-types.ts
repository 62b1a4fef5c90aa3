/** Aliases: named pointers from a model to one of its versions, and their history. */

/** A named pointer from a model to one of its versions. */
export interface Alias {
  /** A global id (never reused), so that alias lists page like every other list. */
  id: number;
  modelId: number;
  alias: string;
  versionId: number;
  /** The version string of versionId, joined in for readability. */
  version: string;
  modelDisplayName: string;
  createTime: Date;
  updateTime: Date;
  /** Revision of the last move; the etag. */
  revision: number;
}

/** One change of an alias, kept for as long as the model exists. */
export interface AliasHistoryEntry {
  id: number;
  revision: number;
  modelId: number;
  alias: string;
  type: "SET" | "DELETED";
  versionId: number | null;
  version: string;
  previousVersionId: number | null;
  previousVersion: string;
  actor: string;
  reason: string;
  time: Date;
}
