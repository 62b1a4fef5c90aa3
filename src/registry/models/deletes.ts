import { removeAlias } from "../aliases/aliases.js";
import { FailedPreconditionError } from "../core/errors.js";
import { deleteRecordsOf } from "../artifacts/records.js";
import { checkEtag, recordDeleted } from "../shared/changes.js";
import { type ArtifactRef, artifactNameOf, modelName, type VersionRef, versionName } from "../core/names.js";
import type { Registry } from "../shared/registry.js";
import type { CallContext, ModelArtifact, ModelVersion, RegisteredModel } from "../core/types.js";
import { describeUsage, inUse, modelUsage, versionUsage } from "../shared/usage.js";
import { findArtifact, findModel, findVersion } from "../shared/find.js";
import { unitOf } from "../shared/registry.js";

/**
 * Deletes of models, versions and artifacts. Each is one transaction: refused with
 * FAILED_PRECONDITION while an alias or a DEPLOYED inference service refers to the resource
 * (force overrides and deletes the aliases too), and otherwise everything beneath goes with it,
 * each deleted resource with its own event (ALIAS_DELETED, then DELETED for the Kubeflow
 * gateway's artifacts of the versions, model artifacts, versions and the model), so watchers see
 * every resource disappear. Inference services are never
 * changed: a forced delete leaves them naming an id that is never reused, and their controller
 * learns from the DELETED event.
 */

export interface DeleteOptions {
  etag: string;
  force: boolean;
}

export interface DeletedModel {
  model: RegisteredModel;
  versions: number;
  artifacts: number;
  aliases: string[];
}

export async function deleteModel(registry: Registry, modelId: number, options: DeleteOptions, ctx: CallContext): Promise<DeletedModel> {
  return unitOf(registry).write(async (w) => {
    const model = await findModel(w, { id: modelId });
    checkEtag(modelName(model.id), model, options.etag);
    const usage = await modelUsage(w, model.id, false);
    if (!options.force && inUse(usage)) {
      throw new FailedPreconditionError(
        `${modelName(model.id)} (${model.displayName}) is in use (${describeUsage(usage)}); pass force to delete it anyway`,
        "MODEL_IN_USE",
      );
    }
    const aliases = await w.lifecycle.aliasesOfModel(model.id);
    for (const alias of aliases) await removeAlias(registry, w, alias, ctx);
    const versions = await w.lifecycle.versionsOfModel(model.id);
    const artifacts = await w.lifecycle.artifactsOfVersions(versions.map((v) => v.id));
    const now = unitOf(registry).now();
    await deleteRecordsOf(registry, w, "version", versions, now, ctx);
    for (const a of artifacts) recordDeleted(registry, w, { type: "ModelArtifact", value: a }, now, ctx);
    for (const v of versions) recordDeleted(registry, w, { type: "ModelVersion", value: { ...v, aliases: [] } }, now, ctx);
    await w.lifecycle.deleteModelRows(model.id);
    recordDeleted(registry, w, { type: "RegisteredModel", value: model }, now, ctx);
    return { model, versions: versions.length, artifacts: artifacts.length, aliases: aliases.map((a) => a.alias) };
  });
}

export interface DeletedVersion {
  version: ModelVersion;
  artifacts: number;
  aliases: string[];
}

export async function deleteVersion(registry: Registry, ref: VersionRef, options: DeleteOptions, ctx: CallContext): Promise<DeletedVersion> {
  return unitOf(registry).write(async (w) => {
    const version = await findVersion(w, ref);
    checkEtag(versionName(version.modelId, version.id), version, options.etag);
    const usage = await versionUsage(w, version);
    if (!options.force && inUse(usage)) {
      throw new FailedPreconditionError(
        `${versionName(version.modelId, version.id)} (${version.version}) is in use (${describeUsage(usage)}); pass force to delete it anyway`,
        "VERSION_IN_USE",
      );
    }
    for (const alias of usage.aliases) await removeAlias(registry, w, alias, ctx);
    const artifacts = await w.lifecycle.artifactsOfVersions([version.id]);
    const now = unitOf(registry).now();
    await deleteRecordsOf(registry, w, "version", [version], now, ctx);
    for (const a of artifacts) recordDeleted(registry, w, { type: "ModelArtifact", value: a }, now, ctx);
    await w.lifecycle.deleteVersionRows(version.id);
    recordDeleted(registry, w, { type: "ModelVersion", value: { ...version, aliases: [] } }, now, ctx);
    return { version, artifacts: artifacts.length, aliases: usage.aliases.map((a) => a.alias) };
  });
}

/**
 * An artifact is what gets served: refused while its version is in use, unless force. An
 * artifact linked to no version (`artifacts/{id}`) serves nothing and goes without a check.
 */
export async function deleteArtifact(registry: Registry, ref: ArtifactRef, options: DeleteOptions, ctx: CallContext): Promise<ModelArtifact> {
  return unitOf(registry).write(async (w) => {
    const artifact = await findArtifact(w, ref);
    const name = artifactNameOf(artifact);
    checkEtag(name, artifact, options.etag);
    if (!options.force && artifact.modelId !== null && artifact.versionId !== null) {
      const version = await findVersion(w, { model: { id: artifact.modelId }, selector: { kind: "id", id: artifact.versionId } });
      const usage = await versionUsage(w, version);
      if (inUse(usage)) {
        throw new FailedPreconditionError(
          `the version of ${name} is in use (${describeUsage(usage)}); pass force to delete it anyway`,
          "VERSION_IN_USE",
        );
      }
    }
    await w.lifecycle.deleteArtifactRows(artifact.id);
    recordDeleted(registry, w, { type: "ModelArtifact", value: artifact }, unitOf(registry).now(), ctx);
    return artifact;
  });
}
