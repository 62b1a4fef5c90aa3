import { archiveModel } from "../../registry/models/archive.js";
import { deleteModel } from "../../registry/models/deletes.js";
import { parseModelName } from "../../registry/core/names.js";
import { registerModel } from "../../registry/models/register-model.js";
import type { Registry } from "../../registry/shared/registry.js";
import { resolveModelUri } from "../../registry/models/resolve-uri.js";
import { artifactIn, artifactOut } from "../artifacts/artifact-convert.js";
import { callContext, listRequest } from "../shared/call-context.js";
import { byNameOrDisplayName, deleteParts, type Methods, pageFields } from "../shared/handler-kit.js";
import { resourceMethods } from "../shared/resource-methods.js";
import { versionIn, versionOut } from "../versions/version-convert.js";
import { modelIn, modelOut, modelOverviewOut } from "./model-convert.js";
import { RegisteredModelView } from "../../../gen/modelregistry/v1/model_registry_service_pb.js";
import { InvalidArgumentError } from "../../registry/core/errors.js";
import { listModelOverviews } from "../../registry/models/catalog.js";
import { createModel, getModel, listModels, updateModel } from "../../registry/models/models.js";

/** Registered models, RegisterModel (a model, a version and its artifacts at once) and ResolveModelUri. */
export function createModelHandler(registry: Registry) {
  const models = resourceMethods(registry, { one: "registeredModel", parseName: parseModelName, in: modelIn, out: modelOut });
  return {
    async registerModel(req, ctx) {
      const result = await registerModel(
        registry,
        {
          requestId: req.requestId,
          model: modelIn(req.registeredModel),
          version: versionIn(req.modelVersion),
          artifacts: req.modelArtifacts.map((a, i) => artifactIn(a, `model_artifacts[${i}]`)),
          ...(req.alias !== "" ? { alias: req.alias } : {}),
        },
        callContext(ctx, req.reason),
      );
      return {
        registeredModel: modelOut(result.model),
        modelVersion: versionOut(result.version),
        modelArtifacts: result.artifacts.map(artifactOut),
        registeredModelCreated: result.modelCreated,
      };
    },

    createRegisteredModel: models.create(createModel, (req) => req.registeredModel),
    getRegisteredModel: models.get(getModel, (req) => byNameOrDisplayName(req, parseModelName)),

    async listRegisteredModels(req) {
      if (req.view === RegisteredModelView.FULL) {
        const page = await listModelOverviews(registry, listRequest(req));
        return { registeredModels: page.items.map(modelOverviewOut), ...pageFields(page) };
      }
      if (req.view !== RegisteredModelView.UNSPECIFIED && req.view !== RegisteredModelView.BASIC) {
        throw InvalidArgumentError.field("view", `unknown view ${req.view}: use BASIC or FULL`);
      }
      return models.list(listModels)(req);
    },

    updateRegisteredModel: models.update(updateModel, (req) => req.registeredModel),

    async deleteRegisteredModel(req, ctx) {
      const result = await deleteModel(registry, ...deleteParts(req, ctx, parseModelName));
      return {
        registeredModel: modelOut(result.model),
        deletedModelVersions: result.versions,
        deletedModelArtifacts: result.artifacts,
        deletedAliases: result.aliases,
      };
    },

    async archiveRegisteredModel(req, ctx) {
      const result = await archiveModel(registry, parseModelName(req.name), { etag: req.etag, cascade: req.cascade }, callContext(ctx, req.reason));
      return { registeredModel: modelOut(result.model), archivedModelVersions: result.versions.map(versionOut) };
    },

    async resolveModelUri(req) {
      const resolved = await resolveModelUri(registry, req.uri);
      return {
        artifactUri: resolved.artifactUri,
        modelArtifact: artifactOut(resolved.artifact),
        modelVersion: versionOut(resolved.version),
        registeredModel: modelOut(resolved.model),
      };
    },
  } satisfies Methods;
}
