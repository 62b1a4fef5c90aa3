import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  ArtifactState as PbArtifactState,
  type MetadataValue as PbMetadataValue,
  MetadataValueSchema,
  type ModelArtifact as PbModelArtifact,
  ModelArtifactSchema,
  type ModelVersion as PbModelVersion,
  ModelVersionSchema,
  type RegisteredModel as PbRegisteredModel,
  RegisteredModelSchema,
  State as PbState,
} from "../../../gen/modelregistry/v1/resources_pb.js";
import { InvalidArgumentError } from "../../registry/errors.js";
import { sourceIn, sourceOut } from "./source-convert.js";
import type { ArtifactInput, ModelInput, VersionInput } from "../../registry/inputs.js";
import { artifactNameOf, modelName, versionName } from "../../registry/names.js";
import { etagOf } from "../../registry/registry.js";
import type { ArtifactState, MetadataValue, ModelArtifact, ModelVersion, Properties, RegisteredModel, State } from "../../registry/types.js";

/** Proto <-> domain conversion. Unset enums become undefined; unknown enum numbers are INVALID_ARGUMENT. */

const STATES: Record<number, State | undefined> = { [PbState.LIVE]: "LIVE", [PbState.ARCHIVED]: "ARCHIVED" };
const ARTIFACT_STATES: Record<number, ArtifactState> = {
  [PbArtifactState.UNSPECIFIED]: "UNKNOWN",
  [PbArtifactState.PENDING]: "PENDING",
  [PbArtifactState.LIVE]: "LIVE",
  [PbArtifactState.MARKED_FOR_DELETION]: "MARKED_FOR_DELETION",
  [PbArtifactState.DELETED]: "DELETED",
  [PbArtifactState.ABANDONED]: "ABANDONED",
  [PbArtifactState.REFERENCE]: "REFERENCE",
};

function stateIn(field: string, value: PbState): State | undefined {
  if (value === PbState.UNSPECIFIED) return undefined;
  const state = STATES[value];
  if (!state) throw InvalidArgumentError.field(field, `unknown state ${value}`, "INVALID_ENUM");
  return state;
}

function stateOut(state: State): PbState {
  return state === "LIVE" ? PbState.LIVE : PbState.ARCHIVED;
}

function artifactStateIn(field: string, value: PbArtifactState): ArtifactState | undefined {
  if (value === PbArtifactState.UNSPECIFIED) return undefined;
  const state = ARTIFACT_STATES[value];
  if (!state) throw InvalidArgumentError.field(field, `unknown artifact state ${value}`, "INVALID_ENUM");
  return state;
}

export function artifactStateOut(state: ArtifactState): PbArtifactState {
  const entry = Object.entries(ARTIFACT_STATES).find(([, s]) => s === state);
  return Number(entry?.[0] ?? 0) as PbArtifactState;
}

export function propertiesIn(field: string, props: Record<string, PbMetadataValue>): Properties {
  const out: Properties = {};
  for (const [key, v] of Object.entries(props)) out[key] = metadataIn(`${field}.${key}`, v);
  return out;
}

function metadataIn(field: string, v: PbMetadataValue): MetadataValue {
  const k = v.kind;
  switch (k.case) {
    case "stringValue":
      return { type: "string", value: k.value };
    case "intValue":
      return { type: "int", value: k.value };
    case "doubleValue":
      return { type: "double", value: k.value };
    case "boolValue":
      return { type: "bool", value: k.value };
    case "structValue":
      return { type: "struct", value: k.value };
    default:
      throw InvalidArgumentError.field(field, "no value set (string_value, int_value, double_value, bool_value or struct_value)");
  }
}

export function propertiesOut(props: Properties): Record<string, PbMetadataValue> {
  const out: Record<string, PbMetadataValue> = {};
  for (const [key, v] of Object.entries(props)) {
    const kind =
      v.type === "string"
        ? { case: "stringValue" as const, value: v.value }
        : v.type === "int"
          ? { case: "intValue" as const, value: v.value }
          : v.type === "double"
            ? { case: "doubleValue" as const, value: v.value }
            : v.type === "bool"
              ? { case: "boolValue" as const, value: v.value }
              : { case: "structValue" as const, value: v.value };
    out[key] = create(MetadataValueSchema, { kind });
  }
  return out;
}

/** The fields every stored resource's message has: its id, create and update times, and etag. */
export function resourceFieldsOut(r: { id: number; createTime: Date; updateTime: Date; revision: number }) {
  return { id: String(r.id), createTime: timestampFromDate(r.createTime), updateTime: timestampFromDate(r.updateTime), etag: etagOf(r) };
}

export function modelIn(m: PbRegisteredModel | undefined, field = "registered_model"): ModelInput {
  const p = m ?? create(RegisteredModelSchema);
  return {
    displayName: p.displayName,
    description: p.description,
    owner: p.owner,
    state: stateIn(`${field}.state`, p.state),
    labels: { ...p.labels },
    customProperties: propertiesIn(`${field}.custom_properties`, p.customProperties),
    readme: p.readme,
  };
}

export function modelOut(m: RegisteredModel): PbRegisteredModel {
  return create(RegisteredModelSchema, {
    name: modelName(m.id),
    ...resourceFieldsOut(m),
    displayName: m.displayName,
    description: m.description,
    owner: m.owner,
    state: stateOut(m.state),
    labels: m.labels,
    customProperties: propertiesOut(m.customProperties),
    readme: m.readme,
  });
}

export function versionIn(v: PbModelVersion | undefined, field = "model_version"): VersionInput {
  const p = v ?? create(ModelVersionSchema);
  return {
    version: p.version,
    description: p.description,
    author: p.author,
    state: stateIn(`${field}.state`, p.state),
    customProperties: propertiesIn(`${field}.custom_properties`, p.customProperties),
    source: p.source ? sourceIn(p.source, `${field}.source`) : undefined,
  };
}

export function versionOut(v: ModelVersion): PbModelVersion {
  return create(ModelVersionSchema, {
    name: versionName(v.modelId, v.id),
    ...resourceFieldsOut(v),
    registeredModel: modelName(v.modelId),
    registeredModelDisplayName: v.modelDisplayName,
    version: v.version,
    description: v.description,
    author: v.author,
    state: stateOut(v.state),
    customProperties: propertiesOut(v.customProperties),
    aliases: v.aliases ?? [],
    source: sourceOut(v.source),
  });
}

export function artifactIn(a: PbModelArtifact | undefined, field = "model_artifact"): ArtifactInput {
  const p = a ?? create(ModelArtifactSchema);
  return {
    displayName: p.displayName,
    description: p.description,
    uri: p.uri,
    modelFormatName: p.modelFormatName,
    modelFormatVersion: p.modelFormatVersion,
    storageKey: p.storageKey,
    storagePath: p.storagePath,
    serviceAccountName: p.serviceAccountName,
    state: artifactStateIn(`${field}.state`, p.state),
    digest: p.digest,
    customProperties: propertiesIn(`${field}.custom_properties`, p.customProperties),
  };
}

export function artifactOut(a: ModelArtifact): PbModelArtifact {
  return create(ModelArtifactSchema, {
    name: artifactNameOf(a),
    ...resourceFieldsOut(a),
    // Empty while the artifact is linked to no version (`artifacts/{id}`).
    modelVersion: a.modelId === null || a.versionId === null ? "" : versionName(a.modelId, a.versionId),
    displayName: a.displayName,
    description: a.description,
    uri: a.uri,
    modelFormatName: a.modelFormatName,
    modelFormatVersion: a.modelFormatVersion,
    storageKey: a.storageKey,
    storagePath: a.storagePath,
    serviceAccountName: a.serviceAccountName,
    state: artifactStateOut(a.state),
    digest: a.digest,
    customProperties: propertiesOut(a.customProperties),
  });
}
