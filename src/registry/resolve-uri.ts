import { FailedPreconditionError } from "./errors.js";
import { parseModelUri } from "./lifecycle-names.js";
import { versionName } from "./names.js";
import type { Registry } from "./registry.js";
import type { ModelArtifact, ModelVersion, RegisteredModel } from "./types.js";

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
  return registry.read(async (r) => {
    const version = await registry.findVersion(r, ref);
    const [model, artifact] = await Promise.all([registry.findModel(r, { id: version.modelId }), r.lifecycle.servableArtifact(version.id)]);
    if (!artifact) {
      throw new FailedPreconditionError(
        `${versionName(version.modelId, version.id)} (${version.version}) has no artifact in state LIVE, REFERENCE or UNKNOWN`,
        "NO_SERVABLE_ARTIFACT",
      );
    }
    return { artifactUri: artifact.uri, artifact, version, model };
  });
}
