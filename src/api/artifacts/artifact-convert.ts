import { create } from "@bufbuild/protobuf";
import {
  ArtifactState as PbArtifactState,
  type ModelArtifact as PbModelArtifact,
  ModelArtifactSchema,
} from "../../../gen/modelregistry/v1/resources_pb.js";
import { InvalidArgumentError } from "../../registry/core/errors.js";
import type { ArtifactInput } from "../../registry/core/inputs.js";
import { artifactNameOf, versionName } from "../../registry/core/names.js";
import type { ArtifactState, ModelArtifact } from "../../registry/core/types.js";
import { describedIn, withDescribed, withStored } from "../shared/convert.js";

/** Proto <-> domain for model artifacts. */

const ARTIFACT_STATES: Record<number, ArtifactState> = {
  [PbArtifactState.UNSPECIFIED]: "UNKNOWN",
  [PbArtifactState.PENDING]: "PENDING",
  [PbArtifactState.LIVE]: "LIVE",
  [PbArtifactState.MARKED_FOR_DELETION]: "MARKED_FOR_DELETION",
  [PbArtifactState.DELETED]: "DELETED",
  [PbArtifactState.ABANDONED]: "ABANDONED",
  [PbArtifactState.REFERENCE]: "REFERENCE",
};

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

export function artifactIn(a: PbModelArtifact | undefined, field = "model_artifact"): ArtifactInput {
  const p = a ?? create(ModelArtifactSchema);
  return {
    uri: p.uri,
    modelFormatName: p.modelFormatName,
    modelFormatVersion: p.modelFormatVersion,
    storageKey: p.storageKey,
    storagePath: p.storagePath,
    serviceAccountName: p.serviceAccountName,
    state: artifactStateIn(`${field}.state`, p.state),
    digest: p.digest,
    ...describedIn(p, field),
  };
}

export function artifactOut(a: ModelArtifact): PbModelArtifact {
  const message = create(ModelArtifactSchema, {
    // Empty while the artifact is linked to no version (`artifacts/{id}`).
    modelVersion: a.modelId === null || a.versionId === null ? "" : versionName(a.modelId, a.versionId),
    uri: a.uri,
    modelFormatName: a.modelFormatName,
    modelFormatVersion: a.modelFormatVersion,
    storageKey: a.storageKey,
    storagePath: a.storagePath,
    serviceAccountName: a.serviceAccountName,
    state: artifactStateOut(a.state),
    digest: a.digest,
  });
  return withDescribed(withStored(message, artifactNameOf(a), a), a);
}
