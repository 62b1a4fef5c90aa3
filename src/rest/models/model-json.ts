import type { Extras } from "../../registry/core/record-types.js";
import type { RegisteredModel } from "../../registry/core/types.js";
import { type Json, namedOut, pickExtras } from "../shared/convert.js";

/** Kubeflow-only fields of a registered model kept in extras, in the order they are shown. */
export const MODEL_EXTRA_FIELDS = ["maturity", "language", "tasks", "provider", "logo", "license", "licenseLink", "libraryName"] as const;

/** A registered model as Kubeflow's RegisteredModel. */
export function modelOut(m: RegisteredModel, extras?: Extras): Json {
  return namedOut(m, extras, { owner: m.owner, state: m.state, readme: m.readme, ...pickExtras(extras, MODEL_EXTRA_FIELDS) });
}
