import { getArtifactById } from "../../registry/shared/by-id.js";
import { NotFoundError } from "../../registry/core/errors.js";
import { getRecord } from "../../registry/artifacts/records.js";
import { KUBEFLOW_ARTIFACT_LIST } from "../../registry/kubeflow/compat.js";
import {
  createStandaloneArtifact,
  type KubeflowArtifactWrite,
  namedForCreate,
  patchModelArtifact,
  type RecordUpsert,
  upsertRecord,
  upsertVersionArtifact,
} from "../../registry/kubeflow/use-cases.js";
import { listAllModelArtifacts } from "../../registry/kubeflow/lists.js";
import { type KubeflowRecord, RECORD_ARTIFACT_KINDS } from "../../registry/core/record-types.js";
import { versionName } from "../../registry/core/names.js";
import type { ListRequest, ModelArtifact } from "../../registry/core/types.js";
import { type ArtifactType, artifactTypeOf, parseArtifact } from "./artifact-bodies.js";
import { artifactsOut, authorizeModelArtifact, authorizeRecord, findArtifact, listArtifactUnion, modelOfArtifact } from "./artifact-lists.js";
import { updateOf } from "../shared/convert.js";
import { badField } from "../shared/errors.js";
import { lookupVisible, versionById } from "../shared/lookup-visible.js";
import { checkParams, LIST_PARAMS } from "../shared/query.js";
import { getByIdRoute, okList, onId, route } from "../shared/route-kit.js";
import type { RestCall, RestRoute } from "../shared/router.js";
import { created, narrow, ok } from "../shared/support.js";
import { modelArtifactOut, recordOut } from "./artifact-json.js";
import { createRecord, updateRecord } from "../../registry/kubeflow/records.js";

/**
 * Model artifacts (the registry's own) and doc, dataset, metric and parameter artifacts (kept by
 * the gateway), as Kubeflow's Artifact union: single-type endpoints, the union endpoints
 * (/artifacts, a version's or run's artifacts), and the upsert of an artifact under a parent.
 * Kubeflow's laxer rules for what they store (free-string uri, generated names, standalone model
 * artifacts linked later) are kubeflow.ts's.
 */

/** A model artifact by its global id, hidden from callers who may not read its model (lookup-visible.ts). */
const modelArtifactById = (call: RestCall, id: number): Promise<ModelArtifact> =>
  lookupVisible(
    call,
    `model artifact ${id}`,
    () => getArtifactById(call.registry, id),
    (a) => modelOfArtifact(call, a),
  );

/** GET /model_artifacts/{id}: the artifact, when the caller may read it. */
async function readModelArtifact(call: RestCall, id: number): Promise<ModelArtifact> {
  const artifact = await modelArtifactById(call, id);
  await authorizeModelArtifact(call, artifact, false);
  return artifact;
}

/** A record about to be created gets a generated name when it has none; an update keeps its own. */
const recordForUpsert = (upsert: RecordUpsert): RecordUpsert =>
  upsert.id === undefined && upsert.input.displayName === "" ? { ...upsert, input: namedForCreate(upsert.input) } : upsert;

/**
 * POST …/artifacts under a version or run: create or update (upsert) any artifact type. A model
 * artifact's id links that artifact to the version when it is linked to none yet; linking needs
 * what reading and writing an artifact linked to no version needs (a grant on every model), as
 * such an artifact belongs to no model and is visible to no caller restricted to some.
 */
export async function upsertUnder(call: RestCall, parent: { type: "version" | "run"; id: number }) {
  checkParams(call.query, []);
  const body = await call.json();
  const upsert = parseArtifact(body, artifactTypeOf(body), "full");
  if (upsert.kind !== "model-artifact") {
    await authorizeRecord(call, { parent }, true);
    const result = await upsertRecord(call.registry, parent, recordForUpsert(upsert), call.ctx);
    const [out] = await artifactsOut(call, [result.record]);
    return { status: result.created ? 201 : 200, body: out };
  }
  if (parent.type !== "version") {
    throw badField("artifactType", "model artifacts belong to model versions; attach this one to a version", "UNSUPPORTED_ARTIFACT_TYPE");
  }
  const version = await versionById(call, parent.id);
  await call.authorize("CreateModelArtifact", { parent: versionName(version.modelId, version.id) });
  if (upsert.id !== undefined) {
    const artifact = await modelArtifactById(call, upsert.id);
    if (artifact.versionId === null) await authorizeModelArtifact(call, artifact, true);
  }
  const result = await upsertVersionArtifact(call.registry, version.id, upsert, call.ctx);
  return { status: result.created ? 201 : 200, body: modelArtifactOut(result.artifact, result.extras) };
}

/** A record artifact (serves are not artifacts) or a model artifact by its global id, hidden likewise. */
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

/** Creates a model artifact linked to no version (`artifacts/{id}`): unrestricted grants only, as it belongs to no model. */
async function createStandalone(call: RestCall, write: KubeflowArtifactWrite) {
  await call.authorize("CreateModelArtifact", { parent: "" });
  const result = await createStandaloneArtifact(call.registry, write, call.ctx);
  return created(modelArtifactOut(result.artifact, result.extras));
}

/** Updates a model artifact (and its extras) with the fields of a PATCH body. */
async function patchModel(call: RestCall, current: ModelArtifact, write: KubeflowArtifactWrite) {
  await authorizeModelArtifact(call, current, true);
  const result = await patchModelArtifact(call.registry, current.id, write, call.ctx);
  return ok(modelArtifactOut(result.artifact, result.extras));
}

export const ARTIFACT_ROUTES: RestRoute[] = [
  route("GET", "/model_artifact", (call) => findArtifact(call, true, false)),
  route("GET", "/model_artifacts", async (call) => {
    checkParams(call.query, LIST_PARAMS);
    const permit = await call.authorize("ListModelVersions", { parent: "registeredModels/-" });
    const read = async (request: ListRequest) => {
      const page = await listAllModelArtifacts(call.registry, request, KUBEFLOW_ARTIFACT_LIST);
      return { ...page, items: await narrow(call.registry, permit, page.items, (a) => modelOfArtifact(call, a)) };
    };
    return okList(call, { spec: KUBEFLOW_ARTIFACT_LIST }, read, modelArtifactOut);
  }),
  route("POST", "/model_artifacts", async (call) => {
    checkParams(call.query, []);
    const upsert = parseArtifact(await call.json(), "model-artifact", "create");
    if (upsert.kind !== "model-artifact") throw badField("artifactType", "must be model-artifact");
    return createStandalone(call, upsert);
  }),
  getByIdRoute("/model_artifacts/{modelartifactId}", readModelArtifact, modelArtifactOut),
  onId("PATCH", "/model_artifacts/{modelartifactId}", async (call, id) => {
    const body = await call.json();
    const upsert = parseArtifact(body, artifactTypeOf(body), "update");
    if (upsert.kind !== "model-artifact") throw badField("artifactType", "must be model-artifact");
    return patchModel(call, await modelArtifactById(call, id), upsert);
  }),
  route("GET", "/artifact", (call) => findArtifact(call, true, true)),
  route("GET", "/artifacts", async (call) => {
    const permit = await call.authorize("ListModelVersions", { parent: "registeredModels/-" });
    return listArtifactUnion(call, { kind: "all" }, permit, []);
  }),
  route("POST", "/artifacts", async (call) => {
    checkParams(call.query, []);
    const body = await call.json();
    const upsert = parseArtifact(body, artifactTypeOf(body), "create");
    if (upsert.kind === "model-artifact") return createStandalone(call, upsert);
    await authorizeRecord(call, { parent: null }, true);
    const { record, extras } = await createRecord(call.registry, upsert.kind, null, namedForCreate(upsert.input), upsert.extras, call.ctx);
    return created(recordOut(record, extras));
  }),
  route("GET", "/artifacts/{id}", async (call) => {
    checkParams(call.query, []);
    const artifact = await anyArtifact(call, call.id("id"));
    if ("kind" in artifact) await authorizeRecord(call, artifact, false);
    else await authorizeModelArtifact(call, artifact, false);
    const [out] = await artifactsOut(call, [artifact]);
    return ok(out);
  }),
  route("PATCH", "/artifacts/{id}", async (call) => {
    checkParams(call.query, []);
    const current = await anyArtifact(call, call.id("id"));
    const currentType: ArtifactType = "kind" in current ? (current.kind as ArtifactType) : "model-artifact";
    const body = await call.json();
    const type = artifactTypeOf(body, currentType);
    if (type !== currentType) throw badField("artifactType", `artifact ${current.id} is a ${currentType}; its type cannot change`);
    const upsert = parseArtifact(body, type, "update");
    if (upsert.kind === "model-artifact") return patchModel(call, current as ModelArtifact, upsert);
    const record = current as KubeflowRecord;
    await authorizeRecord(call, record, true);
    const result = await updateRecord(call.registry, record.id, updateOf(upsert), upsert.extras, call.ctx);
    const [out] = await artifactsOut(call, [result.record]);
    return ok(out);
  }),
];
