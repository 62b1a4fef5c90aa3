import type { CallPermit } from "../../auth/call-guard.js";
import { NotFoundError } from "../../registry/core/errors.js";
import { lookupRunById, lookupVersionById } from "../../registry/shared/by-id.js";
import { experimentsOfRuns, extrasOf, idOfExternalId, idsOfExternalId } from "../../registry/kubeflow/use-cases.js";
import { KUBEFLOW_ARTIFACT_LIST, KUBEFLOW_RECORD_LIST } from "../../registry/kubeflow/compat.js";
import { listAllModelArtifacts, listRecords } from "../../registry/kubeflow/lists.js";
import { type KubeflowRecord, RECORD_ARTIFACT_KINDS, type RecordKind } from "../../registry/core/record-types.js";
import { ARTIFACT_LIST } from "../../registry/shared/list-specs.js";
import { artifactNameOf, versionName } from "../../registry/core/names.js";
import type { ListRequest, ModelArtifact, Page } from "../../registry/core/types.js";
import { ARTIFACT_TYPES } from "./artifact-bodies.js";
import { modelArtifactOut, recordOut } from "./artifact-json.js";
import { enumIn } from "../shared/convert.js";
import { badField } from "../shared/errors.js";
import { findVisible, modelOfVersion, versionById, visibleOnly } from "../shared/lookup-visible.js";
import { checkParams, LIST_PARAMS, listRequest, quoteLiteral } from "../shared/query.js";
import type { RestCall } from "../shared/router.js";
import { findParams, narrow, ok, single } from "../shared/support.js";
import { listArtifacts } from "../../registry/artifacts/artifacts.js";

/**
 * Kubeflow's Artifact union over model artifacts (the registry's) and the gateway's records:
 * conversion, authorization by parent, the union lists and the find endpoints.
 */

/** Converts model artifacts and records with their extras (and the runs of records under runs). */
export async function artifactsOut(call: RestCall, items: Array<ModelArtifact | KubeflowRecord>): Promise<unknown[]> {
  const extras = await extrasOf(
    call.registry,
    items.map((a) => a.id),
  );
  const runIds = [...new Set(items.flatMap((a) => ("kind" in a && a.parent?.type === "run" ? [a.parent.id] : [])))];
  const runs = await experimentsOfRuns(call.registry, runIds);
  return items.map((a) =>
    "kind" in a
      ? recordOut(a, extras.get(a.id), a.parent?.type === "run" ? { experimentId: runs.get(a.parent.id) ?? 0 } : undefined)
      : modelArtifactOut(a, extras.get(a.id)),
  );
}

/** The model a record belongs to, for callers restricted to some models (only records of versions have one). */
async function modelOfRecord(call: RestCall, record: KubeflowRecord): Promise<{ id: number } | null> {
  if (record.parent?.type !== "version") return null;
  const version = await lookupVersionById(call.registry, record.parent.id);
  return version ? { id: version.modelId } : null;
}

/** The model of a model artifact or a record (null for records outside versions and model artifacts linked to none). */
export function modelOfArtifact(call: RestCall, a: ModelArtifact | KubeflowRecord): { id: number } | null | Promise<{ id: number } | null> {
  if ("kind" in a) return modelOfRecord(call, a);
  return a.modelId === null ? null : { id: a.modelId };
}

/** Authorizes reading or writing a record as the RPC over its parent. */
export async function authorizeRecord(call: RestCall, record: Pick<KubeflowRecord, "parent">, write: boolean): Promise<void> {
  const parent = record.parent;
  if (parent?.type === "version") {
    const version = await versionById(call, parent.id);
    const name = versionName(version.modelId, version.id);
    await call.authorize(write ? "CreateModelArtifact" : "ListModelArtifacts", { parent: name });
  } else if (parent?.type === "run") {
    await call.authorize(write ? "UpdateExperimentRun" : "GetExperimentRun", {});
  } else if (parent?.type === "inference-service") {
    await call.authorize(write ? "ReportDeploymentStatus" : "GetInferenceService", {});
  } else {
    await call.authorize(write ? "UpdateExperiment" : "GetExperiment", {});
  }
}

/** Where a union list looks: one version's artifacts, one run's, or everything. */
export type ArtifactScope = { kind: "version"; versionId: number; modelId: number } | { kind: "run"; runId: number } | { kind: "all" };

/**
 * A page of Kubeflow's Artifact union. With one artifactType, one list; without, model artifacts
 * first, then the other types (each in the requested order), with a page token that says which
 * part it continues ("m…" or "r…", wrapping the registry's own opaque tokens).
 */
export async function listArtifactUnion(call: RestCall, scope: ArtifactScope, permit: CallPermit, extraParams: readonly string[]) {
  checkParams(call.query, [...LIST_PARAMS, "artifactType", ...extraParams]);
  const typeParam = call.query.get("artifactType");
  const only = typeParam ? enumIn(typeParam, "artifactType", ARTIFACT_TYPES) : undefined;
  const kinds: readonly RecordKind[] = only === undefined ? RECORD_ARTIFACT_KINDS : only === "model-artifact" ? [] : [only];
  const withModels = scope.kind !== "run" && (only === undefined || only === "model-artifact");
  const withRecords = kinds.length > 0;

  const extraFilter: string[] = [];
  const name = call.query.get("name");
  if (name) extraFilter.push(`name = ${quoteLiteral(name)}`);
  const externalId = call.query.get("externalId");
  if (externalId) {
    const ids = await idsOfExternalId(call.registry, ["ModelArtifact", ...kinds], externalId);
    extraFilter.push(ids.length > 0 ? `id IN (${ids.join(", ")})` : "id = 0");
  }
  const models = listRequest(call.query, { spec: KUBEFLOW_ARTIFACT_LIST, extraFilter });
  const records = listRequest(call.query, { spec: KUBEFLOW_RECORD_LIST, extraFilter });
  const pageSize = models.pageSize;

  const fetchModels = (request: ListRequest): Promise<Page<ModelArtifact>> =>
    listAllModelArtifacts(call.registry, request, KUBEFLOW_ARTIFACT_LIST, scope.kind === "version" ? scope.versionId : undefined);
  const fetchRecords = (request: ListRequest): Promise<Page<KubeflowRecord>> =>
    listRecords(
      call.registry,
      scope.kind === "version"
        ? { kinds, parentType: "version", parentId: scope.versionId }
        : scope.kind === "run"
          ? { kinds, parentType: "run", parentId: scope.runId }
          : { kinds },
      request,
      KUBEFLOW_RECORD_LIST,
    );

  let items: Array<ModelArtifact | KubeflowRecord> = [];
  let next = "";
  const token = models.request.pageToken;
  if (!withModels || !withRecords) {
    const page = withModels ? await fetchModels(models.request) : await fetchRecords(records.request);
    items = page.items;
    next = page.nextPageToken;
  } else {
    const phase = token === "" ? "m" : token[0];
    if (phase !== "m" && phase !== "r") throw badField("nextPageToken", "is not a page token of this list", "INVALID_PAGE_TOKEN");
    if (phase === "m") {
      const page = await fetchModels({ ...models.request, pageToken: token.slice(1) });
      items = page.items;
      if (page.nextPageToken !== "") next = `m${page.nextPageToken}`;
      else {
        const rest = await fetchRecords({ ...records.request, pageToken: "", pageSize: Math.max(1, pageSize - items.length) });
        if (items.length < pageSize) {
          items = [...items, ...rest.items];
          next = rest.nextPageToken === "" ? "" : `r${rest.nextPageToken}`;
        } else next = rest.items.length > 0 ? "r" : "";
      }
    } else {
      const page = await fetchRecords({ ...records.request, pageToken: token.slice(1) });
      items = page.items;
      next = page.nextPageToken === "" ? "" : `r${page.nextPageToken}`;
    }
  }
  const visibleItems = await narrow(call.registry, permit, items, (a) => modelOfArtifact(call, a));
  return ok({ items: await artifactsOut(call, visibleItems), nextPageToken: next, pageSize, size: visibleItems.length });
}

/** Authorizes reading or writing a model artifact as Get/UpdateModelArtifact (`artifacts/{id}`: unrestricted grants only). */
export async function authorizeModelArtifact(call: RestCall, a: ModelArtifact, write: boolean): Promise<void> {
  const name = artifactNameOf(a);
  await call.authorize(write ? "UpdateModelArtifact" : "GetModelArtifact", write ? { modelArtifact: { name } } : { name });
}

/** Finds model artifacts (or any artifacts) by name, externalId and parent (a version, or for records also a run). */
export async function findArtifact(call: RestCall, models: boolean, records: boolean) {
  const find = findParams(call.query, true);
  let scope: ArtifactScope = { kind: "all" };
  if (find.parentResourceId !== undefined) {
    const parentId = find.parentResourceId;
    const version = await lookupVersionById(call.registry, parentId);
    const run = version || !records ? undefined : await lookupRunById(call.registry, parentId);
    // A parent outside the caller's models (runs are in none) is no parent, like one that does not exist (lookup-visible.ts).
    if (version && (await visibleOnly(call, [version], modelOfVersion)).length > 0)
      scope = { kind: "version", versionId: version.id, modelId: version.modelId };
    else if (run && call.readableModels === null) scope = { kind: "run", runId: run.id };
    else throw new NotFoundError(`parent resource ${parentId}`);
  }
  const found: Array<ModelArtifact | KubeflowRecord> = [];
  const requestOf = (extraFilter: string[], page: { pageSize: number; pageToken: string }): ListRequest => ({
    ...listRequest(new URLSearchParams(), { spec: ARTIFACT_LIST, extraFilter }).request,
    ...page,
  });
  const conditions: string[] = [];
  if (find.name !== undefined) conditions.push(`name = ${quoteLiteral(find.name)}`);
  if (models && scope.kind !== "run") {
    const ids = find.externalId === undefined ? [] : [await idOfExternalId(call.registry, "ModelArtifact", find.externalId)];
    if (find.externalId === undefined || ids[0] !== undefined) {
      const extra = [...conditions, ...ids.map((id) => `id = ${id}`)];
      const fetchPage = (page: { pageSize: number; pageToken: string }) =>
        scope.kind === "version"
          ? listArtifacts(call.registry, { model: { id: scope.modelId }, selector: { kind: "id", id: scope.versionId } }, requestOf(extra, page))
          : listAllModelArtifacts(call.registry, requestOf(extra, page));
      found.push(...(await findVisible(call, fetchPage, (a) => modelOfArtifact(call, a))));
    }
  }
  if (records) {
    const ids = find.externalId === undefined ? [] : await idsOfExternalId(call.registry, RECORD_ARTIFACT_KINDS, find.externalId);
    if (find.externalId === undefined || ids.length > 0) {
      const extra = [...conditions, ...(ids.length > 0 ? [`id IN (${ids.join(", ")})`] : [])];
      const where =
        scope.kind === "version"
          ? { kinds: RECORD_ARTIFACT_KINDS, parentType: "version" as const, parentId: scope.versionId }
          : scope.kind === "run"
            ? { kinds: RECORD_ARTIFACT_KINDS, parentType: "run" as const, parentId: scope.runId }
            : { kinds: RECORD_ARTIFACT_KINDS };
      found.push(
        ...(await findVisible(
          call,
          (page) => listRecords(call.registry, where, requestOf(extra, page)),
          (a) => modelOfArtifact(call, a),
        )),
      );
    }
  }
  const what = find.name !== undefined ? `artifact "${find.name}"` : `artifact with externalId "${find.externalId}"`;
  const artifact = single(found, what);
  if ("kind" in artifact) await authorizeRecord(call, artifact, false);
  else await authorizeModelArtifact(call, artifact, false);
  const [out] = await artifactsOut(call, [artifact]);
  return ok(out);
}
