import type { Shape } from "./body.js";

/**
 * The fields of each request body schema of the Kubeflow OpenAPI document (allOf flattened).
 * Read-only fields (id, times) are accepted where a schema includes them and then ignored.
 */

const BASE_UPDATE = { customProperties: "object", description: "string", externalId: "string" } as const;
const BASE_CREATE = { ...BASE_UPDATE, name: "string" } as const;
const READ_ONLY = { id: "string", createTimeSinceEpoch: "string", lastUpdateTimeSinceEpoch: "string" } as const;
const BASE_ARTIFACT = { ...READ_ONLY, experimentId: "string", experimentRunId: "string" } as const;
const BASE_MODEL = {
  description: "string",
  readme: "string",
  maturity: "string",
  language: "strings",
  tasks: "strings",
  provider: "string",
  logo: "string",
  license: "string",
  licenseLink: "string",
  libraryName: "string",
  customProperties: "object",
} as const;

export const MODEL_UPDATE: Shape = { ...BASE_UPDATE, ...BASE_MODEL, owner: "string", state: "string" };
export const MODEL_CREATE: Shape = { ...BASE_CREATE, ...MODEL_UPDATE };

export const VERSION_UPDATE: Shape = { ...BASE_UPDATE, state: "string", author: "string" };
export const VERSION_CREATE: Shape = { ...BASE_CREATE, ...VERSION_UPDATE, registeredModelId: "string" };
/** The body of POST /registered_models/{id}/versions (schema ModelVersion). */
export const VERSION_FULL: Shape = { ...VERSION_CREATE, ...READ_ONLY };

export const MODEL_ARTIFACT_UPDATE: Shape = {
  ...BASE_UPDATE,
  artifactType: "string",
  modelFormatName: "string",
  storageKey: "string",
  storagePath: "string",
  modelFormatVersion: "string",
  serviceAccountName: "string",
  modelSourceKind: "string",
  modelSourceClass: "string",
  modelSourceGroup: "string",
  modelSourceId: "string",
  modelSourceName: "string",
  uri: "string",
  state: "string",
};
export const DOC_UPDATE: Shape = { ...BASE_UPDATE, artifactType: "string", uri: "string", state: "string" };
export const DATASET_UPDATE: Shape = {
  ...DOC_UPDATE,
  digest: "string",
  sourceType: "string",
  source: "string",
  schema: "string",
  profile: "string",
};
export const METRIC_UPDATE: Shape = {
  ...BASE_UPDATE,
  artifactType: "string",
  value: "number",
  timestamp: "string",
  step: "integer",
  state: "string",
};
export const PARAMETER_UPDATE: Shape = { ...BASE_UPDATE, artifactType: "string", value: "string", parameterType: "string", state: "string" };

/** Update, create and full (schema Artifact) shapes of each artifact type. */
export const ARTIFACT_SHAPES: Record<string, { update: Shape; create: Shape; full: Shape }> = Object.fromEntries(
  (
    [
      ["model-artifact", MODEL_ARTIFACT_UPDATE],
      ["doc-artifact", DOC_UPDATE],
      ["dataset-artifact", DATASET_UPDATE],
      ["metric", METRIC_UPDATE],
      ["parameter", PARAMETER_UPDATE],
    ] as const
  ).map(([type, update]) => [type, { update, create: { ...update, name: "string" }, full: { ...update, name: "string", ...BASE_ARTIFACT } }]),
);

export const EXPERIMENT_UPDATE: Shape = { ...BASE_UPDATE, owner: "string", state: "string" };
export const EXPERIMENT_CREATE: Shape = { ...BASE_CREATE, ...EXPERIMENT_UPDATE };

export const RUN_UPDATE: Shape = { ...BASE_UPDATE, endTimeSinceEpoch: "string", status: "string", state: "string", owner: "string" };
export const RUN_CREATE: Shape = { ...BASE_CREATE, ...RUN_UPDATE, experimentId: "string", startTimeSinceEpoch: "string" };
/** The body of POST /experiments/{id}/experiment_runs (schema ExperimentRun). */
export const RUN_FULL: Shape = { ...RUN_CREATE, ...READ_ONLY };

export const ENVIRONMENT_UPDATE: Shape = { ...BASE_UPDATE };
export const ENVIRONMENT_CREATE: Shape = { ...BASE_CREATE };

export const SERVICE_UPDATE: Shape = { ...BASE_UPDATE, modelVersionId: "string", runtime: "string", desiredState: "string" };
export const SERVICE_CREATE: Shape = { ...BASE_CREATE, ...SERVICE_UPDATE, registeredModelId: "string", servingEnvironmentId: "string" };

export const SERVE_CREATE: Shape = { ...BASE_CREATE, lastKnownState: "string", modelVersionId: "string" };
