import { deleteVersion } from "../../registry/models/deletes.js";
import { parseModelName, parseModelParent, parseVersionName } from "../../registry/core/names.js";
import type { Registry } from "../../registry/shared/registry.js";
import { deleteParts, type Methods } from "../shared/handler-kit.js";
import { resourceMethods } from "../shared/resource-methods.js";
import { versionIn, versionOut } from "./version-convert.js";
import { versionRef } from "./version-ref.js";
import { createVersion, getVersion, listVersions, updateVersion } from "../../registry/versions/versions.js";

/** Model versions: parse, call the registry, convert. */
export function createVersionHandler(registry: Registry) {
  const versions = resourceMethods(registry, { one: "modelVersion", parseName: parseVersionName, in: versionIn, out: versionOut });
  return {
    createModelVersion: versions.createIn(
      createVersion,
      (req) => parseModelName(req.parent, "parent"),
      (req) => req.modelVersion,
    ),
    getModelVersion: versions.get(getVersion, versionRef),
    listModelVersions: versions.listIn(listVersions, (req) => parseModelParent(req.parent)),
    updateModelVersion: versions.update(updateVersion, (req) => req.modelVersion),

    async deleteModelVersion(req, ctx) {
      const result = await deleteVersion(registry, ...deleteParts(req, ctx, parseVersionName));
      return { modelVersion: versionOut(result.version), deletedModelArtifacts: result.artifacts, deletedAliases: result.aliases };
    },
  } satisfies Methods;
}
