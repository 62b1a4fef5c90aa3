import { FailedPreconditionError } from "../core/errors.js";
import { parseModelUri } from "../core/resource-names.js";
import { versionName } from "../core/names.js";
import type { Registry } from "../shared/registry.js";
import type { ModelArtifact, ModelVersion, RegisteredModel } from "../core/types.js";
import { findModel, findVersion } from "../shared/find.js";
import { unitOf } from "../shared/registry.js";

export interface ResolvedModelUri {
  artifactUri: string;
  artifact: ModelArtifact;
  version: ModelVersion;
  model: RegisteredModel;
}

/**
 * Resolves `model-registry://{model}[/{version}|@{alias}]` (what KServe's storage initializer is
 * given) to the storage URI of the version's model artifact, read in one snapshot: the oldest
 * artifact whose state is LIVE, REFERENCE or UNKNOWN. A version without one is FAILED_PRECONDITION.
 */
export async function resolveModelUri(registry: Registry, uri: string): Promise<ResolvedModelUri> {
  const ref = parseModelUri(uri);
  return unitOf(registry).read(async (r) => {
    const version = await findVersion(r, ref);
    const [model, artifact] = await Promise.all([findModel(r, { id: version.modelId }), r.lifecycle.servableArtifact(version.id)]);
    if (!artifact) {
      throw new FailedPreconditionError(
        `${versionName(version.modelId, version.id)} (${version.version}) has no artifact in state LIVE, REFERENCE or UNKNOWN`,
        "NO_SERVABLE_ARTIFACT",
      );
    }
    return { artifactUri: artifact.uri, artifact, version, model };
  });
}
