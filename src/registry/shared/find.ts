import type { ArtifactRef, VersionRef } from "../core/names.js";
import type { ModelArtifact, ModelVersion, RegisteredModel } from "../core/types.js";
import { NotFoundError } from "../core/errors.js";
import type { StoreReader } from "../ports/store.js";
import { artifactNameOf, artifactRefName, modelName, versionName } from "../core/names.js";
/** Finding a model, version or artifact by reference inside a read or write, with the NotFound each use case answers. */

export async function findModel(r: StoreReader, ref: { id: number } | { displayName: string }): Promise<RegisteredModel> {
  const model = "id" in ref ? await r.getModel(ref.id) : await r.getModelByDisplayName(ref.displayName);
  if (!model) throw new NotFoundError("id" in ref ? modelName(ref.id) : `registered model "${ref.displayName}"`);
  return model;
}

export async function findVersion(r: StoreReader, ref: VersionRef): Promise<ModelVersion> {
  if (ref.selector.kind === "id" && "id" in ref.model) {
    // Fast path of a Get by name: a version of this model proves the model exists, so the
    // model is only read (for the right NotFound) when the version is not found.
    const version = await r.getVersion(ref.selector.id);
    if (version?.modelId === ref.model.id) return version;
  }
  const model = await findModel(r, ref.model);
  const sel = ref.selector;
  let version: ModelVersion | undefined;
  let label: string;
  switch (sel.kind) {
    case "id":
      version = await r.getVersion(sel.id);
      if (version?.modelId !== model.id) version = undefined;
      label = versionName(model.id, sel.id);
      break;
    case "version":
      version = await r.getVersionByString(model.id, sel.version);
      label = `version "${sel.version}" of ${modelName(model.id)}`;
      break;
    case "latest":
      version = await r.getLatestVersion(model.id);
      label = `a LIVE version of ${modelName(model.id)}`;
      break;
    case "alias": {
      const alias = await r.lifecycle.getAlias(model.id, sel.alias);
      version = alias ? await r.getVersion(alias.versionId) : undefined;
      label = `alias @${sel.alias} of ${modelName(model.id)}`;
      break;
    }
  }
  if (!version) throw new NotFoundError(label);
  return version;
}

/**
 * A model artifact by name. `artifacts/{id}` names an artifact while it is linked to no
 * version; once linked, that name answers NOT_FOUND with reason ARTIFACT_LINKED and the
 * artifact's new name (ErrorInfo metadata `linked_name`).
 */
export async function findArtifact(r: StoreReader, ref: ArtifactRef): Promise<ModelArtifact> {
  const artifact = await r.getArtifact(ref.artifactId);
  const name = artifactRefName(ref);
  if (ref.kind === "unlinked") {
    if (!artifact) throw new NotFoundError(name);
    if (artifact.versionId !== null) {
      const linkedName = artifactNameOf(artifact);
      throw new NotFoundError(name, {
        message: `${name} not found: it was linked to a model version and is now ${linkedName}`,
        reason: "ARTIFACT_LINKED",
        metadata: { linked_name: linkedName },
      });
    }
    return artifact;
  }
  if (!artifact || artifact.versionId !== ref.versionId || artifact.modelId !== ref.modelId) throw new NotFoundError(name);
  return artifact;
}
