import type { Extras } from "../../registry/core/record-types.js";
import type { InferenceService, ServingEnvironment } from "../../registry/core/types.js";
import { idOut, type Json, namedOut } from "../shared/convert.js";

export function environmentOut(e: ServingEnvironment, extras?: Extras): Json {
  return namedOut(e, extras, {});
}

export function serviceOut(s: InferenceService, extras?: Extras): Json {
  return namedOut(s, extras, {
    registeredModelId: idOut(s.modelId),
    servingEnvironmentId: idOut(s.environmentId),
    modelVersionId: s.versionId === null ? undefined : idOut(s.versionId),
    runtime: s.runtime,
    desiredState: s.desiredState,
  });
}
