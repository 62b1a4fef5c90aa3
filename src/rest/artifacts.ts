import { getArtifactById } from "../registry/by-id.js";
import { NotFoundError } from "../registry/errors.js";
import { type ArtifactUpsert, createRecord, getRecord, updateRecord, upsertArtifact } from "../registry/generic-artifacts.js";
import { listAllModelArtifacts } from "../registry/kubeflow-lists.js";
import { type KubeflowRecord, RECORD_ARTIFACT_KINDS } from "../registry/kubeflow-types.js";
import { ARTIFACT_LIST } from "../registry/list-specs.js";
import type { ModelArtifact } from "../registry/types.js";
import { type ArtifactType, artifactTypeOf, parseArtifact } from "./artifact-bodies.js";
import { artifactsOut, authorizeModelArtifact, authorizeRecord, findArtifact, listArtifactUnion, modelOfArtifact } from "./artifact-lists.js";
import { modelArtifactOut, recordOut, updateOf } from "./convert.js";
import { badField } from "./errors.js";
import { lookupVisible } from "./lookup-visible.js";
import { checkParams, LIST_PARAMS, listRequest } from "./query.js";
import type { RestCall, RestRoute } from "./router.js";
import { created, extrasOf, extrasOfOne, narrow, ok, patchWithExtras } from "./support.js";

/**
 * Model artifacts (the registry's own) and doc, dataset, metric and parameter artifacts (kept by
 * the gateway), as Kubeflow's Artifact union: single-type endpoints, the union endpoints
 * (/artifacts, a version's or run's artifacts), and the upsert of an artifact under a parent.
 */

/** POST …/artifacts under a version or run: create or update (upsert) any artifact type. */
export async function upsertUnder(call: RestCall, parent: { type: "version" | "run"; id: number }) {
  checkParams(call.query, []);
  const body = await call.json();
  const upsert = parseArtifact(body, artifactTypeOf(body), "full");
  await authorizeRecord(call, { parent }, true);
  const result = await upsertArtifact(call.registry, parent, upsert, call.ctx);
  const item = result.kind === "model-artifact" ? result.artifact : result.record;
  const [out] = await artifactsOut(call, [item]);
  return { status: result.created ? 201 : 200, body: out };
}

/** A model artifact by its global id, hidden from callers who may not read its model (lookup-visible.ts). */
const modelArtifactById = (call: RestCall, id: number): Promise<ModelArtifact> =>
  lookupVisible(call, `model artifact ${id}`, () => getArtifactById(call.registry, id), (a) => ({ id: a.modelId }));

/** A model artifact or a record artifact (serves are not artifacts) by its global id, hidden likewise. */
function anyArtifact(call: RestCall, id: number): Promise<ModelArtifact | KubeflowRecord> {
  const lookup = async () => {
    try {
      return await getArtifactById(call.registry, id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      return getRecord(call.registry, id, RECORD_ARTIFACT_KINDS);
    }
  };
  return lookupVisible(call, `artifact ${id}`, lookup, (a) => modelOfArtifact(call, a));
}

/** Updates a model artifact (and its extras) with the fields of a PATCH body. */
async function patchModelArtifact(call: RestCall, current: ModelArtifact, upsert: ArtifactUpsert & { kind: "model-artifact" }) {
  await authorizeModelArtifact(call, current, true);
  const ids = { modelId: current.modelId, versionId: current.versionId, artifactId: current.id };
  const { resource: artifact, extras } = await patchWithExtras(
    call.registry,
    "ModelArtifact",
    upsert,
    (scoped) => scoped.updateArtifact(ids, updateOf(upsert), call.ctx),
    () => current,
  );
  return ok(modelArtifactOut(artifact, extras));
}

export const ARTIFACT_ROUTES: RestRoute[] = [
  {
    method: "GET",
    path: "/model_artifact",
    handle: (call) => findArtifact(call, true, false),
  },
  {
    method: "GET",
    path: "/model_artifacts",
    async handle(call) {
      checkParams(call.query, LIST_PARAMS);
      const permit = await call.authorize("ListModelVersions", { parent: "registeredModels/-" });
      const { request, pageSize } = listRequest(call.query, { spec: ARTIFACT_LIST });
      const page = await listAllModelArtifacts(call.registry, request);
      const items = await narrow(call.registry, permit, page.items, (a) => ({ id: a.modelId }));
      const extras = await extrasOf(call.registry, items.map((a) => a.id));
      return ok({ items: items.map((a) => modelArtifactOut(a, extras.get(a.id))), nextPageToken: page.nextPageToken, pageSize, size: items.length });
    },
  },
  {
    method: "POST",
    path: "/model_artifacts",
    async handle(call) {
      checkParams(call.query, []);
      parseArtifact(await call.json(), "model-artifact", "create");
      throw badField(
        "registeredModelId",
        "a model artifact belongs to a model version here: create it with POST /api/model_registry/v1alpha3/model_versions/{id}/artifacts",
        "MODEL_ARTIFACT_NEEDS_VERSION",
      );
    },
  },
  {
    method: "GET",
    path: "/model_artifacts/{modelartifactId}",
    async handle(call) {
      checkParams(call.query, []);
      const artifact = await modelArtifactById(call, call.id("modelartifactId"));
      await authorizeModelArtifact(call, artifact, false);
      return ok(modelArtifactOut(artifact, await extrasOfOne(call.registry, artifact.id)));
    },
  },
  {
    method: "PATCH",
    path: "/model_artifacts/{modelartifactId}",
    async handle(call) {
      checkParams(call.query, []);
      const id = call.id("modelartifactId");
      const body = await call.json();
      const upsert = parseArtifact(body, artifactTypeOf(body), "update");
      if (upsert.kind !== "model-artifact") throw badField("artifactType", "must be model-artifact");
      return patchModelArtifact(call, await modelArtifactById(call, id), upsert);
    },
  },
  {
    method: "GET",
    path: "/artifact",
    handle: (call) => findArtifact(call, true, true),
  },
  {
    method: "GET",
    path: "/artifacts",
    async handle(call) {
      const permit = await call.authorize("ListModelVersions", { parent: "registeredModels/-" });
      return listArtifactUnion(call, { kind: "all" }, permit, []);
    },
  },
  {
    method: "POST",
    path: "/artifacts",
    async handle(call) {
      checkParams(call.query, []);
      const body = await call.json();
      const upsert = parseArtifact(body, artifactTypeOf(body), "create");
      if (upsert.kind === "model-artifact") {
        throw badField(
          "artifactType",
          "a model artifact belongs to a model version here: create it with POST /api/model_registry/v1alpha3/model_versions/{id}/artifacts",
          "MODEL_ARTIFACT_NEEDS_VERSION",
        );
      }
      await authorizeRecord(call, { parent: null }, true);
      const { record, extras } = await createRecord(call.registry, upsert.kind, null, upsert.input, upsert.extras, call.ctx);
      return created(recordOut(record, extras));
    },
  },
  {
    method: "GET",
    path: "/artifacts/{id}",
    async handle(call) {
      checkParams(call.query, []);
      const artifact = await anyArtifact(call, call.id("id"));
      if ("kind" in artifact) await authorizeRecord(call, artifact, false);
      else await authorizeModelArtifact(call, artifact, false);
      const [out] = await artifactsOut(call, [artifact]);
      return ok(out);
    },
  },
  {
    method: "PATCH",
    path: "/artifacts/{id}",
    async handle(call) {
      checkParams(call.query, []);
      const current = await anyArtifact(call, call.id("id"));
      const currentType: ArtifactType = "kind" in current ? (current.kind as ArtifactType) : "model-artifact";
      const body = await call.json();
      const type = artifactTypeOf(body, currentType);
      if (type !== currentType) throw badField("artifactType", `artifact ${current.id} is a ${currentType}; its type cannot change`);
      const upsert = parseArtifact(body, type, "update");
      if (upsert.kind === "model-artifact") return patchModelArtifact(call, current as ModelArtifact, upsert);
      const record = current as KubeflowRecord;
      await authorizeRecord(call, record, true);
      const result = await updateRecord(call.registry, record.id, updateOf(upsert), upsert.extras, call.ctx);
      const [out] = await artifactsOut(call, [result.record]);
      return ok(out);
    },
  },
];
