import { createHash } from "node:crypto";
import { encodeJson } from "../core/json-codec.js";
import { moveAlias } from "../aliases/aliases.js";
import { AlreadyExistsError } from "../core/errors.js";
import { ALIAS_PATTERN } from "../core/resource-names.js";
import type { ArtifactInput, ModelInput, VersionInput } from "../core/inputs.js";
import type { Registry } from "../shared/registry.js";
import type { CallContext, ModelArtifact, ModelVersion, RegisteredModel } from "../core/types.js";
import { LIMITS, Violations } from "../core/validate.js";
import { findModel, findVersion } from "../shared/find.js";
import { insertArtifact } from "../artifacts/artifacts.js";
import { insertModel } from "./models.js";
import { insertVersion } from "../versions/versions.js";
import { unitOf } from "../shared/registry.js";

export interface RegisterInput {
  requestId: string;
  model: ModelInput;
  version: VersionInput;
  artifacts: ArtifactInput[];
  /** An alias to point at the new version in the same transaction (absent, not empty, when none). */
  alias?: string;
}

export interface RegisterResult {
  model: RegisteredModel;
  version: ModelVersion;
  artifacts: ModelArtifact[];
  modelCreated: boolean;
}

/**
 * RegisterModel: in one transaction, find or create the model by display name, create the
 * version and its artifacts. A request_id makes pipeline retries idempotent: the same id with
 * the same content returns the resources it created (as they are now); other content with the
 * same id is ALREADY_EXISTS.
 */
export async function registerModel(registry: Registry, input: RegisterInput, ctx: CallContext): Promise<RegisterResult> {
  const v = new Violations();
  v.text("request_id", input.requestId, LIMITS.requestId, false);
  v.model("registered_model", input.model);
  v.version("model_version", input.version);
  if (input.artifacts.length > LIMITS.artifactsPerRegister) {
    v.add("model_artifacts", `at most ${LIMITS.artifactsPerRegister} artifacts per call`);
  }
  for (const [i, a] of input.artifacts.entries()) v.artifact(`model_artifacts[${i}]`, a);
  if (input.alias !== undefined && !ALIAS_PATTERN.test(input.alias)) v.add("alias", "alias must match [a-z][a-z0-9-]* (at most 63 characters)");
  v.throwIfAny();
  // Only idempotent requests need the digest (it is a good part of a registration's CPU).
  const hash = input.requestId === "" ? "" : contentHash(input);

  return unitOf(registry).write(async (w) => {
    if (input.requestId !== "") {
      const previous = await w.getRegisterRequest(input.requestId);
      if (previous) {
        if (previous.requestHash !== hash) {
          throw new AlreadyExistsError(`request_id "${input.requestId}" was used for a different registration`, "REQUEST_ID_REUSED");
        }
        const model = await findModel(w, { id: previous.modelId });
        const version = await findVersion(w, { model: { id: model.id }, selector: { kind: "id", id: previous.versionId } });
        return { model, version, artifacts: await w.getArtifacts(previous.artifactIds), modelCreated: false };
      }
    }
    const existing = await w.getModelByDisplayName(input.model.displayName);
    const model = existing ?? (await insertModel(registry, w, input.model, ctx));
    if (await w.getVersionByString(model.id, input.version.version)) {
      throw new AlreadyExistsError(`version "${input.version.version}" of registered model "${model.displayName}" already exists`, "VERSION_EXISTS");
    }
    let version = await insertVersion(registry, w, model, input.version, ctx);
    const artifacts: ModelArtifact[] = [];
    for (const a of input.artifacts) artifacts.push(await insertArtifact(registry, w, version, a, ctx));
    if (input.alias !== undefined) {
      await moveAlias(registry, w, model, input.alias, version, await w.lifecycle.getAlias(model.id, input.alias), ctx);
      version = { ...version, aliases: [input.alias] };
    }
    if (input.requestId !== "") {
      await w.insertRegisterRequest(
        { requestId: input.requestId, requestHash: hash, modelId: model.id, versionId: version.id, artifactIds: artifacts.map((a) => a.id) },
        unitOf(registry).now(),
      );
    }
    return { model, version, artifacts, modelCreated: !existing };
  });
}

/** A digest of the request's content (everything but the request id), key order independent. */
function contentHash(input: RegisterInput): string {
  const { requestId: _id, ...content } = input;
  return createHash("sha256")
    .update(encodeJson(sortKeys(content)))
    .digest("hex");
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
