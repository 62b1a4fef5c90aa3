import { deleteArtifact } from "../../registry/deletes.js";
import { parseArtifactName, parseVersionName } from "../../registry/names.js";
import type { Registry } from "../../registry/registry.js";
import { callContext, listRequest } from "../shared/call-context.js";
import { deleteParts, type Methods, pageFields, required, updateParts } from "../shared/handler-kit.js";
import { artifactIn, artifactOut } from "./artifact-convert.js";

/** Model artifacts: parse, call the registry, convert. */
export function createArtifactHandler(registry: Registry) {
  return {
    async createModelArtifact(req, ctx) {
      const ref = parseVersionName(req.parent, "parent");
      const input = artifactIn(required(req.modelArtifact, "model_artifact"));
      return { modelArtifact: artifactOut(await registry.createArtifact(ref, input, callContext(ctx, req.reason))) };
    },

    async getModelArtifact(req) {
      return { modelArtifact: artifactOut(await registry.getArtifact(parseArtifactName(req.name))) };
    },

    async listModelArtifacts(req) {
      // The empty parent is the collection `artifacts/*`: the artifacts linked to no version.
      const page =
        req.parent === ""
          ? await registry.listUnlinkedArtifacts(listRequest(req))
          : await registry.listArtifacts(parseVersionName(req.parent, "parent"), listRequest(req));
      return { modelArtifacts: page.items.map(artifactOut), ...pageFields(page) };
    },

    async updateModelArtifact(req, ctx) {
      const parts = updateParts(req.modelArtifact, "model_artifact", parseArtifactName, artifactIn, req, ctx);
      return { modelArtifact: artifactOut(await registry.updateArtifact(...parts)) };
    },

    async deleteModelArtifact(req, ctx) {
      return { modelArtifact: artifactOut(await deleteArtifact(registry, ...deleteParts(req, ctx, parseArtifactName))) };
    },
  } satisfies Methods;
}
