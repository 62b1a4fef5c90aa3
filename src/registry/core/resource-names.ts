import { InvalidArgumentError } from "./errors.js";
import type { KubeflowRecord } from "./record-types.js";
import { artifactName, decimalId, modelName, type VersionRef, type VersionSelector, artifactNameOf, versionName } from "./names.js";
import type { Resource } from "./types.js";

/**
 * Resource names of aliases, experiments, runs, serving environments and inference services
 * (AIP-122), and `model-registry://` URIs. Ids are server-assigned decimals, never reused.
 */

export const ALIAS_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

export const aliasName = (modelId: number, alias: string) => `${modelName(modelId)}/aliases/${alias}`;
export const experimentName = (id: number) => `experiments/${id}`;
export const runName = (experimentId: number, runId: number) => `${experimentName(experimentId)}/runs/${runId}`;
export const environmentName = (id: number) => `servingEnvironments/${id}`;
export const inferenceServiceName = (environmentId: number, id: number) => `${environmentName(environmentId)}/inferenceServices/${id}`;
export const webhookName = (id: number) => `webhooks/${id}`;

/**
 * The resource name of a Kubeflow record: an artifact under its version (sharing the id space
 * of model artifacts) or run, or `artifacts/{id}` on its own; a ServeModel under its service.
 */
export function recordName(record: Pick<KubeflowRecord, "id" | "owner">): string {
  const { owner, id } = record;
  switch (owner?.type) {
    case "version":
      return artifactName(owner.modelId, owner.versionId, id);
    case "run":
      return `${runName(owner.experimentId, owner.runId)}/artifacts/${id}`;
    case "inference-service":
      return `${inferenceServiceName(owner.environmentId, owner.serviceId)}/serves/${id}`;
    default:
      return `artifacts/${id}`;
  }
}

/** Splits a name into `collection/id` pairs, checking the collections and ids (safe integers only). */
function parse(name: string, field: string, collections: string[], pattern: string): number[] {
  const parts = name.split("/");
  const ids =
    parts.length === collections.length * 2 ? collections.map((c, i) => (parts[i * 2] === c ? decimalId(parts[i * 2 + 1]) : undefined)) : [];
  if (ids.length === 0 || ids.some((id) => id === undefined)) {
    throw InvalidArgumentError.field(field, `expected ${pattern} with decimal ids`, "INVALID_NAME");
  }
  return ids as number[];
}

/** Checks an alias: [a-z][a-z0-9-]*, at most 63 characters. */
export function checkAlias(alias: string, field: string): string {
  if (!ALIAS_PATTERN.test(alias)) {
    throw InvalidArgumentError.field(field, "alias must match [a-z][a-z0-9-]* (at most 63 characters)", "INVALID_NAME");
  }
  return alias;
}

/** Parses `registeredModels/{id}/aliases/{alias}`. */
export function parseAliasName(name: string, field = "name"): { modelId: number; alias: string } {
  const parts = name.split("/");
  if (parts.length !== 4 || parts[2] !== "aliases") {
    throw InvalidArgumentError.field(field, "expected registeredModels/{registered_model}/aliases/{alias}", "INVALID_NAME");
  }
  const [modelId] = parse(parts.slice(0, 2).join("/"), field, ["registeredModels"], "registeredModels/{registered_model}/aliases/{alias}");
  return { modelId: modelId!, alias: checkAlias(parts[3]!, field) };
}

export function parseExperimentName(name: string, field = "name"): number {
  return parse(name, field, ["experiments"], "experiments/{experiment}")[0]!;
}

/** Parses `experiments/-` (every experiment) or `experiments/{id}`. */
export function parseExperimentParent(parent: string, field = "parent"): number | undefined {
  return parent === "experiments/-" ? undefined : parseExperimentName(parent, field);
}

export function parseRunName(name: string, field = "name"): { experimentId: number; runId: number } {
  const [experimentId, runId] = parse(name, field, ["experiments", "runs"], "experiments/{experiment}/runs/{run}");
  return { experimentId: experimentId!, runId: runId! };
}

export function parseWebhookName(name: string, field = "name"): number {
  return parse(name, field, ["webhooks"], "webhooks/{webhook}")[0]!;
}

export function parseEnvironmentName(name: string, field = "name"): number {
  return parse(name, field, ["servingEnvironments"], "servingEnvironments/{serving_environment}")[0]!;
}

/** Parses `servingEnvironments/-` (every environment) or `servingEnvironments/{id}`. */
export function parseEnvironmentParent(parent: string, field = "parent"): number | undefined {
  return parent === "servingEnvironments/-" ? undefined : parseEnvironmentName(parent, field);
}

export function parseInferenceServiceName(name: string, field = "name"): { environmentId: number; id: number } {
  const [environmentId, id] = parse(
    name,
    field,
    ["servingEnvironments", "inferenceServices"],
    "servingEnvironments/{serving_environment}/inferenceServices/{inference_service}",
  );
  return { environmentId: environmentId!, id: id! };
}

export const MODEL_URI_SCHEME = "model-registry://";

/** A first segment that is a host with a port (`model-registry.kubeflow.svc.cluster.local:8080`, `[::1]:8080`). */
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/;

/**
 * Parses a `model-registry://` URI in the forms KServe's storage initializer for Kubeflow takes:
 * `model-registry://[host[:port]/]{model}[/{version}|@{alias}][?query]`.
 * - The query (from the first "?") is ignored, as KServe's initializer ignores it.
 * - Three segments are host/model/version. Two are model/version, unless the first is a host
 *   with a port (`registry.svc:8080/fraud`: the model's latest version). One is the model, or
 *   `model@alias`. The host names the registry the URI was written for; this server resolves
 *   the rest against itself.
 * - The model is its display name; the version a version string or `latest`; without one, the
 *   latest. Segments are percent-decoded: write "/", "@", "?", "%" (and a ":" in a model name
 *   followed by digits only) as %2F, %40, %3F, %25 and %3A.
 */
export function parseModelUri(uri: string, field = "uri"): VersionRef {
  const invalid = (why: string) =>
    InvalidArgumentError.field(field, `${why}; expected model-registry://[host[:port]/]{model}[/{version}|@{alias}]`, "INVALID_MODEL_URI");
  if (!uri.startsWith(MODEL_URI_SCHEME)) throw invalid("not a model-registry:// URI");
  const query = uri.indexOf("?");
  const segments = uri.slice(MODEL_URI_SCHEME.length, query < 0 ? undefined : query).split("/");
  if (segments.length > 3) throw invalid("too many segments");
  const hasHost = segments.length === 3 || (segments.length === 2 && HOST_PORT.test(segments[0]!));
  const [modelPart, versionPart] = hasHost ? segments.slice(1) : segments;
  let selector: VersionSelector = { kind: "latest" };
  let model = modelPart!;
  const at = model.indexOf("@");
  if (at >= 0) {
    if (versionPart !== undefined) throw invalid("an alias and a version segment together");
    selector = { kind: "alias", alias: checkAlias(model.slice(at + 1), field) };
    model = model.slice(0, at);
  } else if (versionPart !== undefined) {
    const version = decode(versionPart, invalid);
    if (version === "") throw invalid("bad version segment");
    selector = version === "latest" ? { kind: "latest" } : { kind: "version", version };
  }
  const displayName = decode(model, invalid);
  if (displayName === "") throw invalid("no model name");
  return { model: { displayName }, selector };
}

function decode(segment: string, invalid: (why: string) => Error): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalid("bad percent-encoding");
  }
}

/** The resource name of any resource. */
export function resourceNameOf(resource: Resource): string {
  switch (resource.type) {
    case "RegisteredModel":
      return modelName(resource.value.id);
    case "ModelVersion":
      return versionName(resource.value.modelId, resource.value.id);
    case "ModelArtifact":
      return artifactNameOf(resource.value);
    case "Alias":
      return aliasName(resource.value.modelId, resource.value.alias);
    case "Experiment":
      return experimentName(resource.value.id);
    case "ExperimentRun":
      return runName(resource.value.experimentId, resource.value.id);
    case "ServingEnvironment":
      return environmentName(resource.value.id);
    case "InferenceService":
      return inferenceServiceName(resource.value.environmentId, resource.value.id);
    case "Artifact":
    case "ServeModel":
      return recordName(resource.value);
    case "Webhook":
      return webhookName(resource.value.id);
  }
}

/** The registered model an event is about (indexed for per-model event queries), if any. */
export function modelIdOf(resource: Resource): number | null {
  switch (resource.type) {
    case "RegisteredModel":
      return resource.value.id;
    case "ModelVersion":
    case "ModelArtifact":
    case "Alias":
    case "InferenceService":
      return resource.value.modelId;
    case "Experiment":
    case "ExperimentRun":
    case "ServingEnvironment":
    // A webhook's model selects what it delivers; the webhook itself belongs to no model.
    case "Webhook":
      return null;
    case "Artifact":
    case "ServeModel": {
      const owner = resource.value.owner;
      return owner && "modelId" in owner ? owner.modelId : null;
    }
  }
}
