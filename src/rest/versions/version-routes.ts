import { NotFoundError } from "../../registry/errors.js";
import { lookupVersionById } from "../../registry/by-id.js";
import { idOfExternalId, patchWithExtras } from "../../registry/kubeflow.js";
import { modelName, versionName } from "../../registry/names.js";
import type { ModelVersion } from "../../registry/types.js";
import { listArtifactUnion } from "../artifacts/artifact-lists.js";
import { upsertUnder } from "../artifacts/artifact-routes.js";
import { idIn, updateOf, versionOut } from "../shared/convert.js";
import { findVisible, modelOfVersion, versionById, visibleOnly } from "../shared/lookup-visible.js";
import { createVersion, listVersions, parseVersion } from "../models/model-routes.js";
import { required } from "../shared/body.js";
import { checkParams, quoteLiteral } from "../shared/query.js";
import type { RestCall, RestRoute } from "../shared/router.js";
import { VERSION_CREATE, VERSION_UPDATE } from "../shared/shapes.js";
import { findParams, ok, okWithExtras, single, withBodyReferences } from "../shared/support.js";

/** Model versions by id, across models, and the artifacts of a version. */

async function authorizeVersion(call: RestCall, v: ModelVersion, write: boolean): Promise<void> {
  const name = versionName(v.modelId, v.id);
  await call.authorize(write ? "UpdateModelVersion" : "GetModelVersion", write ? { modelVersion: { name } } : { name });
}

async function findVersion(call: RestCall): Promise<ModelVersion> {
  const find = findParams(call.query, true);
  const parent = find.parentResourceId;
  // The parent names the model: as over gRPC, one the caller may not read is refused whether or not it exists.
  if (parent !== undefined) await call.authorize("ListModelVersions", { parent: modelName(parent) });
  if (find.externalId !== undefined) {
    const id = await idOfExternalId(call.registry, "ModelVersion", find.externalId);
    let version = id === undefined ? undefined : await lookupVersionById(call.registry, id);
    if (version && find.name !== undefined && version.version !== find.name) version = undefined;
    if (version && parent !== undefined && version.modelId !== parent) version = undefined;
    const [visible] = version ? await visibleOnly(call, [version], modelOfVersion) : [];
    if (!visible) throw new NotFoundError(`model version with externalId "${find.externalId}"`);
    return visible;
  }
  if (parent !== undefined) return call.registry.getVersion({ model: { id: parent }, selector: { kind: "version", version: find.name! } });
  const filter = `name = ${quoteLiteral(find.name!)}`;
  const matches = await findVisible(
    call,
    (page) => call.registry.listVersions(undefined, { ...page, filter, orderBy: "", showTotalSize: false }),
    modelOfVersion,
  );
  return single(matches, `model version "${find.name}"`);
}

export const VERSION_ROUTES: RestRoute[] = [
  {
    method: "GET",
    path: "/model_version",
    async handle(call) {
      const version = await findVersion(call);
      await authorizeVersion(call, version, false);
      return okWithExtras(call.registry, version, versionOut);
    },
  },
  {
    method: "GET",
    path: "/model_versions",
    handle: (call) => listVersions(call, undefined, []),
  },
  {
    method: "POST",
    path: "/model_versions",
    async handle(call) {
      checkParams(call.query, []);
      const body = required(await call.body(VERSION_CREATE, "ModelVersionCreate"), ["name", "registeredModelId"]);
      const modelId = idIn(body.registeredModelId, "registeredModelId");
      return withBodyReferences(422, () => createVersion(call, modelId, parseVersion(body)));
    },
  },
  {
    method: "GET",
    path: "/model_versions/{modelversionId}",
    async handle(call) {
      checkParams(call.query, []);
      const version = await versionById(call, call.id("modelversionId"));
      await authorizeVersion(call, version, false);
      return okWithExtras(call.registry, version, versionOut);
    },
  },
  {
    method: "PATCH",
    path: "/model_versions/{modelversionId}",
    async handle(call) {
      checkParams(call.query, []);
      const id = call.id("modelversionId");
      const parsed = parseVersion(await call.body(VERSION_UPDATE, "ModelVersionUpdate"));
      const current = await versionById(call, id);
      await authorizeVersion(call, current, true);
      const ref = { model: { id: current.modelId }, selector: { kind: "id" as const, id } };
      const { resource: version, extras } = await patchWithExtras(
        call.registry,
        "ModelVersion",
        parsed,
        (scoped) => scoped.updateVersion(ref, updateOf(parsed), call.ctx),
        (scoped) => scoped.getVersion(ref),
      );
      return ok(versionOut(version, extras));
    },
  },
  {
    method: "GET",
    path: "/model_versions/{modelversionId}/artifacts",
    async handle(call) {
      const version = await versionById(call, call.id("modelversionId"));
      const permit = await call.authorize("ListModelArtifacts", { parent: versionName(version.modelId, version.id) });
      return listArtifactUnion(call, { kind: "version", versionId: version.id, modelId: version.modelId }, permit, ["name", "externalId"]);
    },
  },
  {
    method: "POST",
    path: "/model_versions/{modelversionId}/artifacts",
    handle: (call) => upsertUnder(call, { type: "version", id: call.id("modelversionId") }),
  },
];
