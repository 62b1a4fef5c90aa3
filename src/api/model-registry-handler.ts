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
import { InvalidArgumentError } from "../registry/errors.js";
import {
  parseArtifactName,
  parseModelName,
  parseModelParent,
  parseVersionName,
  parseVersionSegment,
  type VersionRef,
} from "../registry/names.js";
import { registerModel } from "../registry/register-model.js";
import type { Registry } from "../registry/registry.js";
import { callContext, exactlyOne, listRequest } from "./call-context.js";
import { createCompareHandler } from "./compare-handler.js";
import { createDeploymentsHandler } from "./deployments-handler.js";
import { createLifecycleHandler } from "./lifecycle-handler.js";
import { createLineageHandler } from "./lineage-handler.js";
import { createWatchHandler, type WatchHandlerOptions } from "./watch-handler.js";
import { artifactIn, artifactOut, modelIn, modelOut, versionIn, versionOut } from "./convert.js";

const maskOf = (mask: { paths: string[] } | undefined) => (mask && mask.paths.length > 0 ? mask.paths : null);

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw InvalidArgumentError.field(field, "is required");
  return value;
}

/** A version addressed by name, or by the model's display name and a version string. */
function versionRef(req: { name: string; registeredModelDisplayName: string; version: string }): VersionRef {
  const which = exactlyOne({ name: req.name, registered_model_display_name: req.registeredModelDisplayName });
  if (which === "name") return parseVersionName(req.name);
  if (req.version === "") throw InvalidArgumentError.field("version", "is required with registered_model_display_name");
  const selector =
    req.version === "latest" || req.version.startsWith("@")
      ? parseVersionSegment(req.version, "version")
      : { kind: "version" as const, version: req.version };
  return { model: { displayName: req.registeredModelDisplayName }, selector };
}

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
      const which = exactlyOne({ name: req.name, display_name: req.displayName });
      const ref = which === "name" ? { id: parseModelName(req.name) } : { displayName: req.displayName };
      return create(GetRegisteredModelResponseSchema, { registeredModel: modelOut(await registry.getModel(ref)) });
    },

    async listRegisteredModels(req) {
      const page = await registry.listModels(listRequest(req));
      return create(ListRegisteredModelsResponseSchema, {
        registeredModels: page.items.map(modelOut),
        nextPageToken: page.nextPageToken,
        revision: BigInt(page.revision),
        totalSize: BigInt(page.totalSize ?? 0),
      });
    },

    async updateRegisteredModel(req, ctx) {
      const model = required(req.registeredModel, "registered_model");
      const id = parseModelName(model.name, "registered_model.name");
      const updated = await registry.updateModel(
        id,
        { input: modelIn(model), mask: maskOf(req.updateMask), etag: model.etag },
        callContext(ctx, req.reason),
      );
      return create(UpdateRegisteredModelResponseSchema, { registeredModel: modelOut(updated) });
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
      return create(ListModelVersionsResponseSchema, {
        modelVersions: page.items.map(versionOut),
        nextPageToken: page.nextPageToken,
        revision: BigInt(page.revision),
        totalSize: BigInt(page.totalSize ?? 0),
      });
    },

    async updateModelVersion(req, ctx) {
      const version = required(req.modelVersion, "model_version");
      const ref = parseVersionName(version.name, "model_version.name");
      const updated = await registry.updateVersion(
        ref,
        { input: versionIn(version), mask: maskOf(req.updateMask), etag: version.etag },
        callContext(ctx, req.reason),
      );
      return create(UpdateModelVersionResponseSchema, { modelVersion: versionOut(updated) });
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
      return create(ListModelArtifactsResponseSchema, {
        modelArtifacts: page.items.map(artifactOut),
        nextPageToken: page.nextPageToken,
        revision: BigInt(page.revision),
        totalSize: BigInt(page.totalSize ?? 0),
      });
    },

    async updateModelArtifact(req, ctx) {
      const artifact = required(req.modelArtifact, "model_artifact");
      const ref = parseArtifactName(artifact.name, "model_artifact.name");
      const updated = await registry.updateArtifact(
        ref,
        { input: artifactIn(artifact), mask: maskOf(req.updateMask), etag: artifact.etag },
        callContext(ctx, req.reason),
      );
      return create(UpdateModelArtifactResponseSchema, { modelArtifact: artifactOut(updated) });
    },
  };
}
