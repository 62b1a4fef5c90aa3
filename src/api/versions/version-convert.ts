import { create } from "@bufbuild/protobuf";
import { type ModelVersion as PbModelVersion, ModelVersionSchema } from "../../../gen/modelregistry/v1/resources_pb.js";
import type { VersionInput } from "../../registry/core/inputs.js";
import { modelName, versionName } from "../../registry/core/names.js";
import type { ModelVersion } from "../../registry/core/types.js";
import { propertiesIn, propertiesOut, stateIn, stateOut, withStored } from "../shared/convert.js";
import { sourceIn, sourceOut } from "./source-convert.js";

/** Proto <-> domain for model versions (their lineage source: source-convert.ts). */

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
  const message = create(ModelVersionSchema, {
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
  return withStored(message, versionName(v.modelId, v.id), v);
}
