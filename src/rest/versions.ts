import { getVersionById } from "../registry/by-id.js";
import { NotFoundError } from "../registry/errors.js";
import { idByExternalId, writeExtras } from "../registry/kubeflow-extras.js";
import { versionName } from "../registry/names.js";
import type { ModelVersion } from "../registry/types.js";
import { listArtifactUnion } from "./artifact-lists.js";
import { upsertUnder } from "./artifacts.js";
import { idIn, updateOf, versionOut } from "./convert.js";
import { badField } from "./errors.js";
import { createVersion, listVersions, parseVersion } from "./models.js";
import { checkParams, quoteLiteral } from "./query.js";
import type { RestCall, RestRoute } from "./router.js";
import { VERSION_CREATE, VERSION_UPDATE } from "./shapes.js";
import { atomically, extrasOfOne, findParams, ok, single, withBodyReferences } from "./support.js";

/** Model versions by id, across models, and the artifacts of a version. */

async function authorizeVersion(call: RestCall, v: ModelVersion, write: boolean): Promise<void> {
  const name = versionName(v.modelId, v.id);
  await call.authorize(write ? "UpdateModelVersion" : "GetModelVersion", write ? { modelVersion: { name } } : { name });
}

async function findVersion(call: RestCall): Promise<ModelVersion> {
  const find = findParams(call.query, true);
  let version: ModelVersion | undefined;
  if (find.externalId !== undefined) {
    const id = await call.registry.read((r) => idByExternalId(r, "ModelVersion", find.externalId!));
    version = id === undefined ? undefined : await getVersionById(call.registry, id);
    if (version && find.name !== undefined && version.version !== find.name) version = undefined;
    if (version && find.parentResourceId !== undefined && version.modelId !== find.parentResourceId) version = undefined;
    if (!version) throw new NotFoundError(`model version with externalId "${find.externalId}"`);
  } else if (find.parentResourceId !== undefined) {
    version = await call.registry.getVersion({ model: { id: find.parentResourceId }, selector: { kind: "version", version: find.name! } });
  } else {
    const page = await call.registry.listVersions(undefined, { pageSize: 2, pageToken: "", filter: `name = ${quoteLiteral(find.name!)}`, orderBy: "", showTotalSize: false });
    version = single(page.items, `model version "${find.name}"`);
  }
  return version;
}

export const VERSION_ROUTES: RestRoute[] = [
  {
    method: "GET",
    path: "/model_version",
    async handle(call) {
      const version = await findVersion(call);
      await authorizeVersion(call, version, false);
      return ok(versionOut(version, await extrasOfOne(call.registry, version.id)));
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
      const body = await call.body(VERSION_CREATE, "ModelVersionCreate");
      if (body.registeredModelId === undefined) throw badField("registeredModelId", "is required");
      const modelId = idIn(body.registeredModelId, "registeredModelId");
      return withBodyReferences(422, () => createVersion(call, modelId, parseVersion(body, true)));
    },
  },
  {
    method: "GET",
    path: "/model_versions/{modelversionId}",
    async handle(call) {
      checkParams(call.query, []);
      const version = await getVersionById(call.registry, call.id("modelversionId"));
      await authorizeVersion(call, version, false);
      return ok(versionOut(version, await extrasOfOne(call.registry, version.id)));
    },
  },
  {
    method: "PATCH",
    path: "/model_versions/{modelversionId}",
    async handle(call) {
      checkParams(call.query, []);
      const id = call.id("modelversionId");
      const parsed = parseVersion(await call.body(VERSION_UPDATE, "ModelVersionUpdate"), false);
      const current = await getVersionById(call.registry, id);
      await authorizeVersion(call, current, true);
      const ref = { model: { id: current.modelId }, selector: { kind: "id" as const, id } };
      const { version, extras } = await atomically(call.registry, async (scoped, w) => {
        const version = parsed.mask.length > 0 ? await scoped.updateVersion(ref, updateOf(parsed), call.ctx) : await scoped.findVersion(w, ref);
        return { version, extras: await writeExtras(w, "ModelVersion", id, parsed.extras) };
      });
      return ok(versionOut(version, extras));
    },
  },
  {
    method: "GET",
    path: "/model_versions/{modelversionId}/artifacts",
    async handle(call) {
      const version = await getVersionById(call.registry, call.id("modelversionId"));
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
