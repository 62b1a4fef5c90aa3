import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  ArchiveRegisteredModelResponseSchema,
  DeleteAliasResponseSchema,
  DeleteModelArtifactResponseSchema,
  DeleteModelVersionResponseSchema,
  DeleteRegisteredModelResponseSchema,
  GetAliasResponseSchema,
  ListAliasesResponseSchema,
  ListAliasHistoryResponseSchema,
  ResolveModelUriResponseSchema,
  SetAliasResponseSchema,
} from "../../../gen/modelregistry/v1/lifecycle_pb.js";
import type { ModelRegistryService } from "../../../gen/modelregistry/v1/model_registry_service_pb.js";
import { deleteAlias, type Expected, getAlias, listAliases, listAliasHistory, setAlias } from "../../registry/aliases.js";
import { archiveModel } from "../../registry/archive.js";
import { deleteArtifact, deleteModel, deleteVersion } from "../../registry/deletes.js";
import { InvalidArgumentError } from "../../registry/errors.js";
import { parseAliasName } from "../../registry/lifecycle-names.js";
import { parseArtifactName, parseModelName, parseModelParent, parseVersionName, versionName } from "../../registry/names.js";
import type { Registry } from "../../registry/registry.js";
import { resolveModelUri } from "../../registry/resolve-uri.js";
import { callContext, listRequest } from "../shared/call-context.js";
import { pageFields } from "../shared/handler-kit.js";
import { artifactOut, modelOut, versionOut } from "../shared/convert.js";
import { aliasHistoryOut, aliasOut } from "../lineage/lineage-convert.js";

type Methods =
  | "setAlias"
  | "deleteAlias"
  | "getAlias"
  | "listAliases"
  | "listAliasHistory"
  | "deleteRegisteredModel"
  | "deleteModelVersion"
  | "deleteModelArtifact"
  | "archiveRegisteredModel"
  | "resolveModelUri";

/** expected_model_version: absent = unconditional, "" = must not exist, else a version name. */
function expectedIn(value: string | undefined): Expected {
  if (value === undefined) return undefined;
  return value === "" ? null : parseVersionName(value, "expected_model_version");
}

/** Aliases, deletes, archive-with-cascade and ResolveModelUri: parse, call the registry, convert. */
export function createLifecycleHandler(registry: Registry): Pick<ServiceImpl<typeof ModelRegistryService>, Methods> {
  return {
    async setAlias(req, ctx) {
      const { modelId, alias } = parseAliasName(req.name);
      if (req.modelVersion === "") throw InvalidArgumentError.field("model_version", "is required");
      const result = await setAlias(
        registry,
        { modelId, alias, target: parseVersionName(req.modelVersion, "model_version"), expected: expectedIn(req.expectedModelVersion) },
        callContext(ctx, req.reason),
      );
      return create(SetAliasResponseSchema, {
        alias: aliasOut(result.alias),
        previousModelVersion: result.previousVersionId === null ? "" : versionName(modelId, result.previousVersionId),
      });
    },

    async deleteAlias(req, ctx) {
      const { modelId, alias } = parseAliasName(req.name);
      const deleted = await deleteAlias(
        registry,
        { modelId, alias, expected: expectedIn(req.expectedModelVersion), force: req.force },
        callContext(ctx, req.reason),
      );
      return create(DeleteAliasResponseSchema, { alias: aliasOut(deleted) });
    },

    async getAlias(req) {
      const { modelId, alias } = parseAliasName(req.name);
      return create(GetAliasResponseSchema, { alias: aliasOut(await getAlias(registry, modelId, alias)) });
    },

    async listAliases(req) {
      const page = await listAliases(registry, parseModelParent(req.parent), listRequest(req));
      return create(ListAliasesResponseSchema, { aliases: page.items.map(aliasOut), ...pageFields(page) });
    },

    async listAliasHistory(req) {
      const page = await listAliasHistory(registry, parseModelParent(req.parent), listRequest(req));
      return create(ListAliasHistoryResponseSchema, { entries: page.items.map(aliasHistoryOut), ...pageFields(page) });
    },

    async deleteRegisteredModel(req, ctx) {
      const result = await deleteModel(registry, parseModelName(req.name), { etag: req.etag, force: req.force }, callContext(ctx, req.reason));
      return create(DeleteRegisteredModelResponseSchema, {
        registeredModel: modelOut(result.model),
        deletedModelVersions: result.versions,
        deletedModelArtifacts: result.artifacts,
        deletedAliases: result.aliases,
      });
    },

    async deleteModelVersion(req, ctx) {
      const result = await deleteVersion(registry, parseVersionName(req.name), { etag: req.etag, force: req.force }, callContext(ctx, req.reason));
      return create(DeleteModelVersionResponseSchema, {
        modelVersion: versionOut(result.version),
        deletedModelArtifacts: result.artifacts,
        deletedAliases: result.aliases,
      });
    },

    async deleteModelArtifact(req, ctx) {
      const artifact = await deleteArtifact(
        registry,
        parseArtifactName(req.name),
        { etag: req.etag, force: req.force },
        callContext(ctx, req.reason),
      );
      return create(DeleteModelArtifactResponseSchema, { modelArtifact: artifactOut(artifact) });
    },

    async archiveRegisteredModel(req, ctx) {
      const result = await archiveModel(registry, parseModelName(req.name), { etag: req.etag, cascade: req.cascade }, callContext(ctx, req.reason));
      return create(ArchiveRegisteredModelResponseSchema, {
        registeredModel: modelOut(result.model),
        archivedModelVersions: result.versions.map(versionOut),
      });
    },

    async resolveModelUri(req) {
      const resolved = await resolveModelUri(registry, req.uri);
      return create(ResolveModelUriResponseSchema, {
        artifactUri: resolved.artifactUri,
        modelArtifact: artifactOut(resolved.artifact),
        modelVersion: versionOut(resolved.version),
        registeredModel: modelOut(resolved.model),
      });
    },
  };
}
