import { deleteVersion } from "../../registry/deletes.js";
import { parseModelName, parseModelParent, parseVersionName } from "../../registry/names.js";
import type { Registry } from "../../registry/registry.js";
import { callContext, listRequest } from "../shared/call-context.js";
import { deleteParts, type Methods, pageFields, required, updateParts } from "../shared/handler-kit.js";
import { versionIn, versionOut } from "./version-convert.js";
import { versionRef } from "./version-ref.js";

/** Model versions: parse, call the registry, convert. */
export function createVersionHandler(registry: Registry) {
  return {
    async createModelVersion(req, ctx) {
      const modelId = parseModelName(req.parent, "parent");
      const input = versionIn(required(req.modelVersion, "model_version"));
      return { modelVersion: versionOut(await registry.createVersion(modelId, input, callContext(ctx, req.reason))) };
    },

    async getModelVersion(req) {
      return { modelVersion: versionOut(await registry.getVersion(versionRef(req))) };
    },

    async listModelVersions(req) {
      const page = await registry.listVersions(parseModelParent(req.parent), listRequest(req));
      return { modelVersions: page.items.map(versionOut), ...pageFields(page) };
    },

    async updateModelVersion(req, ctx) {
      const parts = updateParts(req.modelVersion, "model_version", parseVersionName, versionIn, req, ctx);
      return { modelVersion: versionOut(await registry.updateVersion(...parts)) };
    },

    async deleteModelVersion(req, ctx) {
      const result = await deleteVersion(registry, ...deleteParts(req, ctx, parseVersionName));
      return { modelVersion: versionOut(result.version), deletedModelArtifacts: result.artifacts, deletedAliases: result.aliases };
    },
  } satisfies Methods;
}
