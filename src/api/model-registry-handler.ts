import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  CreateModelArtifactResponseSchema,
  CreateModelVersionResponseSchema,
  CreateRegisteredModelResponseSchema,
  GetModelArtifactResponseSchema,
  GetModelVersionResponseSchema,
  GetRegisteredModelResponseSchema,
  ListModelArtifactsResponseSchema,
  ListModelVersionsResponseSchema,
  ListRegisteredModelsResponseSchema,
  type ModelRegistryService,
  RegisterModelResponseSchema,
  UpdateModelArtifactResponseSchema,
  UpdateModelVersionResponseSchema,
  UpdateRegisteredModelResponseSchema,
} from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { parseArtifactName, parseModelName, parseModelParent, parseVersionName } from "../registry/names.js";
import { registerModel } from "../registry/register-model.js";
import type { Registry } from "../registry/registry.js";
import { callContext, listRequest } from "./shared/call-context.js";
import { byNameOrDisplayName, pageFields, required, updateParts } from "./shared/handler-kit.js";
import { versionRef } from "./versions/version-ref.js";
import { createCompareHandler } from "./versions/compare-handler.js";
import { createDeploymentsHandler } from "./serving/serving-handler.js";
import { createLifecycleHandler } from "./aliases/alias-handler.js";
import { createLineageHandler } from "./lineage/lineage-handler.js";
import { createWatchHandler, type WatchHandlerOptions } from "./events/watch-handler.js";
import { artifactIn, artifactOut, modelIn, modelOut, versionIn, versionOut } from "./shared/convert.js";

/** The service: parse names, call the registry, convert. No rules and no SQL here. */
export function createModelRegistryHandler(
  registry: Registry,
  watch: Omit<WatchHandlerOptions, "registry">,
): ServiceImpl<typeof ModelRegistryService> {
  return {
    ...createWatchHandler({ registry, ...watch }),
    ...createCompareHandler(registry),
    ...createLifecycleHandler(registry),
    ...createLineageHandler(registry),
    ...createDeploymentsHandler(registry),
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
      return create(RegisterModelResponseSchema, {
        registeredModel: modelOut(result.model),
        modelVersion: versionOut(result.version),
        modelArtifacts: result.artifacts.map(artifactOut),
        registeredModelCreated: result.modelCreated,
      });
    },

    async createRegisteredModel(req, ctx) {
      const input = modelIn(required(req.registeredModel, "registered_model"));
      const model = await registry.createModel(input, callContext(ctx, req.reason));
      return create(CreateRegisteredModelResponseSchema, { registeredModel: modelOut(model) });
    },

    async getRegisteredModel(req) {
      const ref = byNameOrDisplayName(req, parseModelName);
      return create(GetRegisteredModelResponseSchema, { registeredModel: modelOut(await registry.getModel(ref)) });
    },

    async listRegisteredModels(req) {
      const page = await registry.listModels(listRequest(req));
      return create(ListRegisteredModelsResponseSchema, { registeredModels: page.items.map(modelOut), ...pageFields(page) });
    },

    async updateRegisteredModel(req, ctx) {
      const parts = updateParts(req.registeredModel, "registered_model", parseModelName, modelIn, req, ctx);
      return create(UpdateRegisteredModelResponseSchema, { registeredModel: modelOut(await registry.updateModel(...parts)) });
    },

    async createModelVersion(req, ctx) {
      const modelId = parseModelName(req.parent, "parent");
      const input = versionIn(required(req.modelVersion, "model_version"));
      const version = await registry.createVersion(modelId, input, callContext(ctx, req.reason));
      return create(CreateModelVersionResponseSchema, { modelVersion: versionOut(version) });
    },

    async getModelVersion(req) {
      return create(GetModelVersionResponseSchema, { modelVersion: versionOut(await registry.getVersion(versionRef(req))) });
    },

    async listModelVersions(req) {
      const page = await registry.listVersions(parseModelParent(req.parent), listRequest(req));
      return create(ListModelVersionsResponseSchema, { modelVersions: page.items.map(versionOut), ...pageFields(page) });
    },

    async updateModelVersion(req, ctx) {
      const parts = updateParts(req.modelVersion, "model_version", parseVersionName, versionIn, req, ctx);
      return create(UpdateModelVersionResponseSchema, { modelVersion: versionOut(await registry.updateVersion(...parts)) });
    },

    async createModelArtifact(req, ctx) {
      const ref = parseVersionName(req.parent, "parent");
      const input = artifactIn(required(req.modelArtifact, "model_artifact"));
      const artifact = await registry.createArtifact(ref, input, callContext(ctx, req.reason));
      return create(CreateModelArtifactResponseSchema, { modelArtifact: artifactOut(artifact) });
    },

    async getModelArtifact(req) {
      const artifact = await registry.getArtifact(parseArtifactName(req.name));
      return create(GetModelArtifactResponseSchema, { modelArtifact: artifactOut(artifact) });
    },

    async listModelArtifacts(req) {
      // The empty parent is the collection `artifacts/*`: the artifacts linked to no version.
      const page =
        req.parent === ""
          ? await registry.listUnlinkedArtifacts(listRequest(req))
          : await registry.listArtifacts(parseVersionName(req.parent, "parent"), listRequest(req));
      return create(ListModelArtifactsResponseSchema, { modelArtifacts: page.items.map(artifactOut), ...pageFields(page) });
    },

    async updateModelArtifact(req, ctx) {
      const parts = updateParts(req.modelArtifact, "model_artifact", parseArtifactName, artifactIn, req, ctx);
      return create(UpdateModelArtifactResponseSchema, { modelArtifact: artifactOut(await registry.updateArtifact(...parts)) });
    },
  };
}
