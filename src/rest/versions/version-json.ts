import type { Extras } from "../../registry/core/record-types.js";
import type { ModelVersion } from "../../registry/core/types.js";
import { idOut, type Json, namedOut } from "../shared/convert.js";

/** A model version as Kubeflow's ModelVersion: its name is the version string. */
export function versionOut(v: ModelVersion, extras?: Extras): Json {
  return namedOut({ ...v, displayName: v.version }, extras, { author: v.author, state: v.state }, { registeredModelId: idOut(v.modelId) });
}
