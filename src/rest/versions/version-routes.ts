import * as versionUseCases from "../../registry/versions/versions.js";
import { NotFoundError } from "../../registry/core/errors.js";
import { lookupVersionById } from "../../registry/shared/by-id.js";
import type { Update, VersionInput } from "../../registry/core/inputs.js";
import { idOfExternalId } from "../../registry/kubeflow/use-cases.js";
import { modelName, versionName } from "../../registry/core/names.js";
import type { Registry } from "../../registry/shared/registry.js";
import type { ModelVersion } from "../../registry/core/types.js";
import { listArtifactUnion } from "../artifacts/artifact-lists.js";
import { upsertUnder } from "../artifacts/artifact-routes.js";
import { idIn } from "../shared/convert.js";
import { findVisible, modelOfVersion, versionById, visibleOnly } from "../shared/lookup-visible.js";
import { required } from "../shared/body.js";
import { checkParams, quoteLiteral } from "../shared/query.js";
import type { RestCall, RestRoute } from "../shared/router.js";
import { VERSION_CREATE, VERSION_UPDATE } from "../shared/shapes.js";
import { getByIdRoute, okPatched, onId, route } from "../shared/route-kit.js";
import { findParams, okWithExtras, single, withBodyReferences } from "../shared/support.js";
import { versionOut } from "./version-json.js";
import { createVersion, listVersions, parseVersion } from "./version-writes.js";
import { getVersion, updateVersion } from "../../registry/versions/versions.js";

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
  if (parent !== undefined) return getVersion(call.registry, { model: { id: parent }, selector: { kind: "version", version: find.name! } });
  const filter = `name = ${quoteLiteral(find.name!)}`;
  const matches = await findVisible(
    call,
    (page) => versionUseCases.listVersions(call.registry, undefined, { ...page, filter, orderBy: "", showTotalSize: false }),
    modelOfVersion,
  );
  return single(matches, `model version "${find.name}"`);
}

async function readVersion(call: RestCall, id: number): Promise<ModelVersion> {
  const version = await versionById(call, id);
  await authorizeVersion(call, version, false);
  return version;
}

export const VERSION_ROUTES: RestRoute[] = [
  route("GET", "/model_version", async (call) => {
    const version = await findVersion(call);
    await authorizeVersion(call, version, false);
    return okWithExtras(call.registry, version, versionOut);
  }),
  route("GET", "/model_versions", (call) => listVersions(call, undefined, [])),
  route("POST", "/model_versions", async (call) => {
    checkParams(call.query, []);
    const body = required(await call.body(VERSION_CREATE, "ModelVersionCreate"), ["name", "registeredModelId"]);
    const modelId = idIn(body.registeredModelId, "registeredModelId");
    return withBodyReferences(422, () => createVersion(call, modelId, parseVersion(body)));
  }),
  getByIdRoute("/model_versions/{modelversionId}", readVersion, versionOut),
  onId("PATCH", "/model_versions/{modelversionId}", async (call, id) => {
    const parsed = parseVersion(await call.body(VERSION_UPDATE, "ModelVersionUpdate"));
    const current = await versionById(call, id);
    await authorizeVersion(call, current, true);
    const ref = { model: { id: current.modelId }, selector: { kind: "id" as const, id } };
    const update = (scoped: Registry, change: Update<VersionInput>) => updateVersion(scoped, ref, change, call.ctx);
    return okPatched(call, "ModelVersion", parsed, update, (scoped) => getVersion(scoped, ref), versionOut);
  }),
  route("GET", "/model_versions/{modelversionId}/artifacts", async (call) => {
    const version = await versionById(call, call.id("modelversionId"));
    const permit = await call.authorize("ListModelArtifacts", { parent: versionName(version.modelId, version.id) });
    return listArtifactUnion(call, { kind: "version", versionId: version.id, modelId: version.modelId }, permit, ["name", "externalId"]);
  }),
  route("POST", "/model_versions/{modelversionId}/artifacts", (call) => upsertUnder(call, { type: "version", id: call.id("modelversionId") })),
];
