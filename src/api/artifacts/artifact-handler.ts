import { deleteArtifact } from "../../registry/models/deletes.js";
import { parseArtifactName, parseVersionName } from "../../registry/core/names.js";
import type { Registry } from "../../registry/shared/registry.js";
import { listRequest } from "../shared/call-context.js";
import { deleteParts, type Methods } from "../shared/handler-kit.js";
import { resourceMethods } from "../shared/resource-methods.js";
import { artifactIn, artifactOut } from "./artifact-convert.js";
import { createArtifact, getArtifact, listArtifacts, listUnlinkedArtifacts, updateArtifact } from "../../registry/artifacts/artifacts.js";

/** Model artifacts: parse, call the registry, convert. */
export function createArtifactHandler(registry: Registry) {
  const artifacts = resourceMethods(registry, { one: "modelArtifact", parseName: parseArtifactName, in: artifactIn, out: artifactOut });
  return {
    createModelArtifact: artifacts.createIn(
      createArtifact,
      (req) => parseVersionName(req.parent, "parent"),
      (req) => req.modelArtifact,
    ),
    getModelArtifact: artifacts.get(getArtifact, (req) => parseArtifactName(req.name)),

    async listModelArtifacts(req) {
      // The empty parent is the collection `artifacts/*`: the artifacts linked to no version.
      const page =
        req.parent === ""
          ? await listUnlinkedArtifacts(registry, listRequest(req))
          : await listArtifacts(registry, parseVersionName(req.parent, "parent"), listRequest(req));
      return artifacts.page(page);
    },

    updateModelArtifact: artifacts.update(updateArtifact, (req) => req.modelArtifact),

    async deleteModelArtifact(req, ctx) {
      return artifacts.respond(await deleteArtifact(registry, ...deleteParts(req, ctx, parseArtifactName)));
    },
  } satisfies Methods;
}
