import type { Alias, AliasHistoryEntry, ModelArtifact, ModelVersion } from "../core/types.js";
import type { ListQuery, ListResult } from "./store-lists.js";

/**
 * Store access for aliases, and for the cascades below a model that deleting and archiving walk
 * (StoreReader and StoreWriter expose it as `lifecycle`).
 */

/** Which models' aliases (or alias history) a list covers; undefined means every model. */
export interface ModelScope {
  modelId?: number;
}

export interface AliasReader {
  getAlias(modelId: number, alias: string): Promise<Alias | undefined>;
  /** The aliases pointing at any of the versions. */
  aliasesOfVersions(versionIds: number[]): Promise<Alias[]>;
  aliasesOfModel(modelId: number): Promise<Alias[]>;
  /** The aliases of the models, by model then alias, in one query. */
  aliasesOfModels(modelIds: readonly number[]): Promise<Alias[]>;
  listAliases(scope: ModelScope, query: ListQuery): Promise<ListResult<Alias>>;
  listAliasHistory(scope: ModelScope, query: ListQuery): Promise<ListResult<AliasHistoryEntry>>;
  /** Every version of a model, oldest first (for cascades and deletes). */
  versionsOfModel(modelId: number): Promise<ModelVersion[]>;
  /** Every artifact of the versions, oldest first. */
  artifactsOfVersions(versionIds: number[]): Promise<ModelArtifact[]>;
  /** The first artifact of a version, oldest first, whose state is LIVE, REFERENCE or UNKNOWN. */
  servableArtifact(versionId: number): Promise<ModelArtifact | undefined>;
}

export interface AliasWriter extends AliasReader {
  insertAlias(alias: Alias): Promise<void>;
  updateAlias(alias: Alias): Promise<void>;
  deleteAlias(id: number): Promise<void>;
  appendAliasHistory(entry: AliasHistoryEntry): Promise<void>;
  /** Deletes a model and every row beneath it (aliases, history, versions, artifacts, metadata). */
  deleteModelRows(modelId: number): Promise<void>;
  /** Deletes a version and every row beneath it (artifacts, source, metadata). Aliases go first. */
  deleteVersionRows(versionId: number): Promise<void>;
  deleteArtifactRows(artifactId: number): Promise<void>;
}
