import { create, type JsonObject as PbJsonObject } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type Artifact as PbArtifact,
  ArtifactKind,
  ArtifactSchema,
  ExecutionState,
  type ServeModel as PbServeModel,
  ServeModelSchema,
} from "../../../gen/modelregistry/v1/artifacts_pb.js";
import type { RecordKind, RecordResource } from "../../registry/core/record-types.js";
import { inferenceServiceName, recordName } from "../../registry/core/resource-names.js";
import { versionName } from "../../registry/core/names.js";
import type { ArtifactState } from "../../registry/core/types.js";
import { artifactStateOut } from "../artifacts/artifact-convert.js";
import { propertiesOut } from "../shared/convert.js";

/**
 * Domain -> proto of the Kubeflow gateway's records, as event snapshots (Artifact, ServeModel).
 * They are written through the REST gateway only, so there is no proto -> domain direction.
 */

const KINDS: Partial<Record<RecordKind, ArtifactKind>> = {
  "doc-artifact": ArtifactKind.DOC,
  "dataset-artifact": ArtifactKind.DATASET,
  metric: ArtifactKind.METRIC,
  parameter: ArtifactKind.PARAMETER,
};

const EXECUTION_STATES: Readonly<Record<string, ExecutionState>> = {
  NEW: ExecutionState.NEW,
  RUNNING: ExecutionState.RUNNING,
  COMPLETE: ExecutionState.COMPLETE,
  FAILED: ExecutionState.FAILED,
  CACHED: ExecutionState.CACHED,
  CANCELED: ExecutionState.CANCELED,
};

export function recordArtifactOut(r: RecordResource): PbArtifact {
  return create(ArtifactSchema, {
    name: recordName(r),
    id: String(r.id),
    kind: KINDS[r.kind] ?? ArtifactKind.UNSPECIFIED,
    displayName: r.displayName,
    description: r.description,
    uri: r.uri,
    state: artifactStateOut(r.state as ArtifactState),
    fields: r.fields as PbJsonObject,
    customProperties: propertiesOut(r.customProperties),
    externalId: r.externalId ?? "",
    createTime: timestampFromDate(r.createTime),
    updateTime: timestampFromDate(r.updateTime),
  });
}

export function serveModelOut(r: RecordResource): PbServeModel {
  const owner = r.owner?.type === "inference-service" ? r.owner : null;
  const versionId = Number(r.fields.modelVersionId);
  return create(ServeModelSchema, {
    name: recordName(r),
    id: String(r.id),
    inferenceService: owner ? inferenceServiceName(owner.environmentId, owner.serviceId) : "",
    modelVersion: owner && Number.isSafeInteger(versionId) ? versionName(owner.modelId, versionId) : "",
    displayName: r.displayName,
    description: r.description,
    lastKnownState: EXECUTION_STATES[r.state] ?? ExecutionState.UNSPECIFIED,
    customProperties: propertiesOut(r.customProperties),
    externalId: r.externalId ?? "",
    createTime: timestampFromDate(r.createTime),
    updateTime: timestampFromDate(r.updateTime),
  });
}
