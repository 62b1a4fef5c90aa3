import type { StoreReader } from "../ports/store.js";
import { FailedPreconditionError } from "../core/errors.js";
import type { Alias, InferenceService, ModelVersion, RegisteredModel } from "../core/types.js";
import { inferenceServiceName } from "../core/resource-names.js";
import { modelName, versionName } from "../core/names.js";

/**
 * What keeps a model or version in use: aliases pointing at it and DEPLOYED inference services
 * deploying or serving it. Deletes and archives are refused while anything does (unless force
 * or cascade), so nothing in production disappears by accident.
 */
export interface Usage {
  aliases: Alias[];
  services: InferenceService[];
}

/** How many referring services a refusal names. */
const SHOWN = 10;

export const inUse = (u: Usage) => u.aliases.length > 0 || u.services.length > 0;

/** "@production, @staging; deployed by servingEnvironments/1/inferenceServices/4". */
export function describeUsage(u: Usage): string {
  const parts: string[] = [];
  if (u.aliases.length > 0) parts.push(`aliased as ${u.aliases.map((a) => `@${a.alias}`).join(", ")}`);
  if (u.services.length > 0) {
    const names = u.services.map((s) => inferenceServiceName(s.environmentId, s.id)).join(", ");
    parts.push(`deployed by ${names}${u.services.length >= SHOWN ? " and maybe more" : ""}`);
  }
  return parts.join("; ");
}

/** Aliases on the version, and DEPLOYED services that target it (pinned, alias, latest) or serve it. */
export async function versionUsage(r: StoreReader, version: ModelVersion): Promise<Usage> {
  const latest = await r.getLatestVersion(version.modelId);
  const [aliases, services] = await Promise.all([
    r.lifecycle.aliasesOfVersions([version.id]),
    r.deployments.deployedServices({ kind: "version", modelId: version.modelId, versionId: version.id, isLatest: latest?.id === version.id }, SHOWN),
  ]);
  return { aliases, services };
}

/** The model's aliases (only those on LIVE versions when liveOnly) and its DEPLOYED services. */
export async function modelUsage(r: StoreReader, modelId: number, liveOnly: boolean): Promise<Usage> {
  let aliases = await r.lifecycle.aliasesOfModel(modelId);
  if (liveOnly) {
    const versions = await Promise.all(aliases.map((a) => r.getVersion(a.versionId)));
    aliases = aliases.filter((_, i) => versions[i]?.state === "LIVE");
  }
  const services = await r.deployments.deployedServices({ kind: "model", modelId }, SHOWN);
  return { aliases, services };
}

/** Archiving a model archives nothing else silently: refused while an alias on a LIVE version or a DEPLOYED service refers to it. */
export async function assertModelArchivable(r: StoreReader, model: RegisteredModel): Promise<void> {
  const usage = await modelUsage(r, model.id, true);
  if (inUse(usage)) {
    throw new FailedPreconditionError(
      `${modelName(model.id)} (${model.displayName}) is in use (${describeUsage(usage)}); ` +
        "archive it with cascade, or move the aliases and undeploy first",
      "MODEL_IN_USE",
    );
  }
}

/** An alias never points at an ARCHIVED version, and a DEPLOYED service never targets one silently. */
export async function assertVersionArchivable(r: StoreReader, version: ModelVersion): Promise<void> {
  const usage = await versionUsage(r, version);
  if (inUse(usage)) {
    throw new FailedPreconditionError(
      `${versionName(version.modelId, version.id)} (${version.version}) is in use (${describeUsage(usage)}); ` +
        "move the aliases and undeploy it first",
      "VERSION_IN_USE",
    );
  }
}
