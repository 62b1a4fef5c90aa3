import { deleteVersion } from "../../registry/models/deletes.js";
import { parseModelName, parseModelParent, parseVersionName } from "../../registry/core/names.js";
import type { Registry } from "../../registry/shared/registry.js";
import { callContext, listRequest } from "../shared/call-context.js";
import { deleteParts, type Methods, pageFields, required, updateParts } from "../shared/handler-kit.js";
import { versionIn, versionOut } from "./version-convert.js";
import { versionRef } from "./version-ref.js";
import { createVersion, getVersion, listVersions, updateVersion } from "../../registry/versions/versions.js";

/** Model versions: parse, call the registry, convert. */
export function createVersionHandler(registry: Registry) {
  return {
    async createModelVersion(req, ctx) {
      const modelId = parseModelName(req.parent, "parent");
      const input = versionIn(required(req.modelVersion, "model_version"));
      return { modelVersion: versionOut(await createVersion(registry, modelId, input, callContext(ctx, req.reason))) };
    },

    async getModelVersion(req) {
      return { modelVersion: versionOut(await getVersion(registry, versionRef(req))) };
    },

    async listModelVersions(req) {
      const page = await listVersions(registry, parseModelParent(req.parent), listRequest(req));
      return { modelVersions: page.items.map(versionOut), ...pageFields(page) };
    },

    async updateModelVersion(req, ctx) {
      const parts = updateParts(req.modelVersion, "model_version", parseVersionName, versionIn, req, ctx);
      return { modelVersion: versionOut(await updateVersion(registry, ...parts)) };
    },

    async deleteModelVersion(req, ctx) {
      const result = await deleteVersion(registry, ...deleteParts(req, ctx, parseVersionName));
      return { modelVersion: versionOut(result.version), deletedModelArtifacts: result.artifacts, deletedAliases: result.aliases };
    },
  } satisfies Methods;
}
