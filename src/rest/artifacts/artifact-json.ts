import type { Extras, KubeflowRecord } from "../../registry/core/record-types.js";
import type { ModelArtifact } from "../../registry/core/types.js";
import { idOut, type Json, namedOut, pickExtras } from "../shared/convert.js";

/** Kubeflow-only fields of a model artifact kept in extras, in the order they are shown. */
export const MODEL_ARTIFACT_EXTRA_FIELDS = [
  "modelSourceKind",
  "modelSourceClass",
  "modelSourceGroup",
  "modelSourceId",
  "modelSourceName",
  "experimentId",
  "experimentRunId",
] as const;

export function modelArtifactOut(a: ModelArtifact, extras?: Extras): Json {
  return {
    artifactType: "model-artifact",
    ...namedOut(a, extras, {
      uri: a.uri,
      state: a.state,
      modelFormatName: a.modelFormatName,
      modelFormatVersion: a.modelFormatVersion,
      storageKey: a.storageKey,
      storagePath: a.storagePath,
      serviceAccountName: a.serviceAccountName,
      ...pickExtras(extras, MODEL_ARTIFACT_EXTRA_FIELDS),
    }),
  };
}

/** The run (and experiment) of a record under a run, shown as experimentRunId/experimentId. */
export function recordOut(r: KubeflowRecord, extras?: Extras, run?: { experimentId: number }): Json {
  if (r.kind === "serve-model") return namedOut(r, extras, { modelVersionId: r.fields.modelVersionId, lastKnownState: r.state });
  return {
    artifactType: r.kind,
    ...namedOut(r, extras, {
      uri: r.uri,
      state: r.state,
      ...r.fields,
      ...pickExtras(extras, ["experimentId", "experimentRunId"]),
      ...(r.parent?.type === "run" ? { experimentRunId: idOut(r.parent.id), experimentId: run ? idOut(run.experimentId) : undefined } : {}),
    }),
  };
}
