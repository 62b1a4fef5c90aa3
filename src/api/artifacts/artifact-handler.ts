import { deleteArtifact } from "../../registry/models/deletes.js";
import { parseArtifactName, parseVersionName } from "../../registry/core/names.js";
import type { Registry } from "../../registry/shared/registry.js";
import { callContext, listRequest } from "../shared/call-context.js";
import { deleteParts, type Methods, pageFields, required, updateParts } from "../shared/handler-kit.js";
import { artifactIn, artifactOut } from "./artifact-convert.js";
import { createArtifact, getArtifact, listArtifacts, listUnlinkedArtifacts, updateArtifact } from "../../registry/artifacts/artifacts.js";

/** Model artifacts: parse, call the registry, convert. */
export function createArtifactHandler(registry: Registry) {
  return {
    async createModelArtifact(req, ctx) {
      const ref = parseVersionName(req.parent, "parent");
      const input = artifactIn(required(req.modelArtifact, "model_artifact"));
      return { modelArtifact: artifactOut(await createArtifact(registry, ref, input, callContext(ctx, req.reason))) };
    },

    async getModelArtifact(req) {
      return { modelArtifact: artifactOut(await getArtifact(registry, parseArtifactName(req.name))) };
    },

    async listModelArtifacts(req) {
      // The empty parent is the collection `artifacts/*`: the artifacts linked to no version.
      const page =
        req.parent === ""
          ? await listUnlinkedArtifacts(registry, listRequest(req))
          : await listArtifacts(registry, parseVersionName(req.parent, "parent"), listRequest(req));
      return { modelArtifacts: page.items.map(artifactOut), ...pageFields(page) };
    },

    async updateModelArtifact(req, ctx) {
      const parts = updateParts(req.modelArtifact, "model_artifact", parseArtifactName, artifactIn, req, ctx);
      return { modelArtifact: artifactOut(await updateArtifact(registry, ...parts)) };
    },

    async deleteModelArtifact(req, ctx) {
      return { modelArtifact: artifactOut(await deleteArtifact(registry, ...deleteParts(req, ctx, parseArtifactName))) };
    },
  } satisfies Methods;
}
