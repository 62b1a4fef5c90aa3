import type { StoreReader, StoreWriter } from "../store/store.js";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "./errors.js";
import { deleteRecordsOf } from "./generic-artifacts.js";
import { applyMask, type MaskSpec } from "./field-mask.js";
import type { Update } from "./inputs.js";
import type { DeploymentStatus, DesiredState, InferenceService, ServingEnvironment } from "./lifecycle-types.js";
import { ALIAS_PATTERN, environmentName, inferenceServiceName } from "./lifecycle-names.js";
import { ENVIRONMENT_LIST, SERVICE_LIST } from "./lifecycle-list-specs.js";
import { checkEtag, recordDeleted } from "./lifecycle-support.js";
import { prepareList, toPage } from "./list-query.js";
import { modelName, parseModelName, parseVersionName, type VersionRef, versionName } from "./names.js";
import { queryDigest } from "./page-token.js";
import type { Registry } from "./registry.js";
import type { CallContext, ListRequest, Page, Properties } from "./types.js";
import { describeUsage } from "./usage.js";
import { LIMITS, Violations } from "./validate.js";

/**
 * Serving environments and inference services: the intent to serve a model (pinned version,
 * alias or latest) and what a controller reports back. Spec changes bump spec_revision, which
 * controllers echo as observed_revision, so "is it rolled out?" is observed == spec.
 */

export interface EnvironmentInput {
  displayName: string;
  description: string;
  labels: Record<string, string>;
  customProperties: Properties;
}

export interface ServiceInput {
  displayName: string;
  description: string;
  /** The registered model's resource name (required). */
  registeredModel: string;
  /** A pinned version's resource name; empty follows alias, or latest. */
  modelVersion: string;
  alias: string;
  runtime: string;
  desiredState: DesiredState | undefined;
  labels: Record<string, string>;
  customProperties: Properties;
}

export interface StatusInput {
  servingVersion: VersionRef | null;
  ready: boolean;
  url: string;
  observedRevision: number;
  message: string;
}

const ENVIRONMENT_MASK: MaskSpec<ServingEnvironment> = {
  fields: { display_name: "displayName", description: "description", labels: "labels", custom_properties: "customProperties" },
  maps: ["labels", "custom_properties"],
};

/** Update paths of a service, onto ServiceInput (the spec is re-resolved after the mask). */
const SERVICE_MASK: MaskSpec<ServiceInput> = {
  fields: {
    display_name: "displayName",
    description: "description",
    registered_model: "registeredModel",
    model_version: "modelVersion",
    alias: "alias",
    runtime: "runtime",
    desired_state: "desiredState",
    labels: "labels",
    custom_properties: "customProperties",
  },
  maps: ["labels", "custom_properties"],
};

function validateEnvironment(e: EnvironmentInput): void {
  const v = new Violations();
  v.name("serving_environment.display_name", e.displayName);
  v.text("serving_environment.description", e.description, LIMITS.description);
  v.labels("serving_environment.labels", e.labels);
  v.properties("serving_environment.custom_properties", e.customProperties);
  v.throwIfAny();
}

async function findEnvironment(r: StoreReader, ref: { id: number } | { displayName: string }): Promise<ServingEnvironment> {
  const e = "id" in ref ? await r.deployments.getEnvironment(ref.id) : await r.deployments.getEnvironmentByDisplayName(ref.displayName);
  if (!e) throw new NotFoundError("id" in ref ? environmentName(ref.id) : `serving environment "${ref.displayName}"`);
  return e;
}

async function findService(r: StoreReader, ids: { environmentId: number; id: number }): Promise<InferenceService> {
  const s = await r.deployments.getService(ids.id);
  if (!s || s.environmentId !== ids.environmentId) throw new NotFoundError(inferenceServiceName(ids.environmentId, ids.id));
  return s;
}

export async function createEnvironment(registry: Registry, input: EnvironmentInput, ctx: CallContext): Promise<ServingEnvironment> {
  validateEnvironment(input);
  return registry.write(async (w) => {
    const now = registry.now();
    const env: ServingEnvironment = { ...input, id: w.allocateId(), createTime: now, updateTime: now, revision: w.allocateRevision() };
    await w.deployments.insertEnvironment(env);
    registry.record(w, "CREATED", { type: "ServingEnvironment", value: env }, null, ctx);
    return env;
  });
}

export async function getEnvironment(registry: Registry, ref: { id: number } | { displayName: string }): Promise<ServingEnvironment> {
  return registry.read((r) => findEnvironment(r, ref));
}

export async function listEnvironments(registry: Registry, request: ListRequest): Promise<Page<ServingEnvironment>> {
  const prepared = prepareList(request, ENVIRONMENT_LIST, registry.store.tokenKey(), "servingEnvironments");
  return registry.read(async (r) => toPage(prepared, await r.deployments.listEnvironments(prepared.query), await r.revision(), (e) => e));
}

export async function updateEnvironment(
  registry: Registry,
  id: number,
  update: Update<EnvironmentInput>,
  ctx: CallContext,
): Promise<ServingEnvironment> {
  return registry.write(async (w) => {
    const current = await findEnvironment(w, { id });
    checkEtag(environmentName(id), current, update.etag);
    const next = applyMask(current, update.input, update.mask, ENVIRONMENT_MASK);
    validateEnvironment(next);
    const updated = { ...next, updateTime: registry.now(), revision: w.allocateRevision() };
    await w.deployments.updateEnvironment(updated);
    registry.record(w, "UPDATED", { type: "ServingEnvironment", value: updated }, { type: "ServingEnvironment", value: current }, ctx);
    return updated;
  });
}

/** Deletes an environment with its services (each with a DELETED event); refused while one is DEPLOYED, unless force. */
export async function deleteEnvironment(
  registry: Registry,
  id: number,
  options: { etag: string; force: boolean },
  ctx: CallContext,
): Promise<{ environment: ServingEnvironment; services: number }> {
  return registry.write(async (w) => {
    const environment = await findEnvironment(w, { id });
    checkEtag(environmentName(id), environment, options.etag);
    if (!options.force) {
      const deployed = await w.deployments.deployedServices({ kind: "environment", environmentId: id }, 10);
      if (deployed.length > 0) {
        throw new FailedPreconditionError(
          `${environmentName(id)} is in use (${describeUsage({ aliases: [], services: deployed })}); undeploy them or pass force`,
          "SERVING_ENVIRONMENT_IN_USE",
        );
      }
    }
    const services = await w.deployments.servicesOfEnvironment(id);
    const now = registry.now();
    await deleteRecordsOf(
      registry,
      w,
      "inference-service",
      services.map((s) => s.id),
      now,
      ctx,
    );
    for (const s of services) {
      await w.deployments.deleteServiceRows(s.id);
      recordDeleted(registry, w, { type: "InferenceService", value: s }, now, ctx);
    }
    await w.deployments.deleteEnvironmentRows(id);
    recordDeleted(registry, w, { type: "ServingEnvironment", value: environment }, now, ctx);
    return { environment, services: services.length };
  });
}

/** Checks a service spec against the registry and returns the stored spec fields. */
async function resolveSpec(registry: Registry, w: StoreWriter, input: ServiceInput) {
  const v = new Violations();
  v.name("inference_service.display_name", input.displayName);
  v.text("inference_service.description", input.description, LIMITS.description);
  v.text("inference_service.runtime", input.runtime, LIMITS.name, false);
  v.labels("inference_service.labels", input.labels);
  v.properties("inference_service.custom_properties", input.customProperties);
  if (input.registeredModel === "") v.add("inference_service.registered_model", "is required");
  if (input.alias !== "" && !ALIAS_PATTERN.test(input.alias))
    v.add("inference_service.alias", "alias must match [a-z][a-z0-9-]* (at most 63 characters)");
  if (input.alias !== "" && input.modelVersion !== "") v.add("inference_service.model_version", "set model_version or alias, not both");
  v.throwIfAny();
  const model = await registry.findModel(w, { id: parseModelName(input.registeredModel, "inference_service.registered_model") });
  let version = null;
  if (input.modelVersion !== "") {
    const ref = parseVersionName(input.modelVersion, "inference_service.model_version");
    if (ref.selector.kind !== "id") {
      throw InvalidArgumentError.field(
        "inference_service.model_version",
        "pin a version by id; follow an alias with the alias field, latest by leaving both empty",
      );
    }
    version = await registry.findVersion(w, ref);
  }
  if (version && version.modelId !== model.id) {
    throw InvalidArgumentError.field("inference_service.model_version", `must be a version of ${modelName(model.id)}`, "VERSION_OF_OTHER_MODEL");
  }
  const desiredState = input.desiredState ?? "DEPLOYED";
  if (desiredState === "DEPLOYED" && model.state === "ARCHIVED") {
    throw new FailedPreconditionError(`${modelName(model.id)} (${model.displayName}) is archived; restore it to deploy it`, "MODEL_ARCHIVED");
  }
  if (desiredState === "DEPLOYED" && version?.state === "ARCHIVED") {
    throw new FailedPreconditionError(`${versionName(version.modelId, version.id)} is archived; restore it to deploy it`, "VERSION_ARCHIVED");
  }
  return { modelId: model.id, versionId: version?.id ?? null, alias: input.alias, runtime: input.runtime, desiredState };
}

const NO_STATUS: DeploymentStatus = {
  servingVersionId: null,
  ready: false,
  url: "",
  observedRevision: 0,
  message: "",
  reportTime: null,
  reporter: "",
};

export async function createService(registry: Registry, environmentId: number, input: ServiceInput, ctx: CallContext): Promise<InferenceService> {
  return registry.write(async (w) => {
    await findEnvironment(w, { id: environmentId });
    const spec = await resolveSpec(registry, w, input);
    const now = registry.now();
    const revision = w.allocateRevision();
    const service: InferenceService = {
      id: w.allocateId(),
      environmentId,
      displayName: input.displayName,
      description: input.description,
      ...spec,
      labels: input.labels,
      customProperties: input.customProperties,
      specRevision: revision,
      status: NO_STATUS,
      createTime: now,
      updateTime: now,
      revision,
    };
    await w.deployments.insertService(service);
    const stored = (await w.deployments.getService(service.id))!;
    registry.record(w, "CREATED", { type: "InferenceService", value: stored }, null, ctx);
    return stored;
  });
}

export async function getService(registry: Registry, ids: { environmentId: number; id: number }): Promise<InferenceService> {
  return registry.read((r) => findService(r, ids));
}

/** Lists services; with `deploying`, only those that deploy or serve that version ("where is v2 deployed?"). */
export async function listServices(
  registry: Registry,
  environmentId: number | undefined,
  deploying: VersionRef | null,
  deployingText: string,
  request: ListRequest,
): Promise<Page<InferenceService>> {
  const parent = environmentId === undefined ? "servingEnvironments/-" : environmentName(environmentId);
  const prepared = prepareList(request, SERVICE_LIST, registry.store.tokenKey(), queryDigest(parent, deployingText));
  return registry.read(async (r) => {
    if (environmentId !== undefined) await findEnvironment(r, { id: environmentId });
    let scope: Parameters<typeof r.deployments.listServices>[0] = { environmentId };
    if (deploying) {
      const version = await registry.findVersion(r, deploying);
      const latest = await r.getLatestVersion(version.modelId);
      scope = { environmentId, deploying: { modelId: version.modelId, versionId: version.id, isLatest: latest?.id === version.id } };
    }
    return toPage(prepared, await r.deployments.listServices(scope, prepared.query), await r.revision(), (s) => s);
  });
}

export async function updateService(
  registry: Registry,
  ids: { environmentId: number; id: number },
  update: Update<ServiceInput>,
  ctx: CallContext,
): Promise<InferenceService> {
  return registry.write(async (w) => {
    const current = await findService(w, ids);
    checkEtag(inferenceServiceName(ids.environmentId, ids.id), current, update.etag);
    const currentInput: ServiceInput = {
      ...current,
      registeredModel: modelName(current.modelId),
      modelVersion: current.versionId === null ? "" : versionName(current.modelId, current.versionId),
    };
    const next = applyMask(currentInput, update.input, update.mask, SERVICE_MASK);
    const spec = await resolveSpec(registry, w, next);
    const specChanged =
      spec.modelId !== current.modelId ||
      spec.versionId !== current.versionId ||
      spec.alias !== current.alias ||
      spec.runtime !== current.runtime ||
      spec.desiredState !== current.desiredState;
    const revision = w.allocateRevision();
    const updated: InferenceService = {
      ...current,
      displayName: next.displayName,
      description: next.description,
      labels: next.labels,
      customProperties: next.customProperties,
      ...spec,
      specRevision: specChanged ? revision : current.specRevision,
      updateTime: registry.now(),
      revision,
    };
    await w.deployments.updateService(updated);
    const stored = (await w.deployments.getService(updated.id))!;
    registry.record(w, "UPDATED", { type: "InferenceService", value: stored }, { type: "InferenceService", value: current }, ctx);
    return stored;
  });
}

/** Deletes a service (and its ServeModel records); refused while DEPLOYED (undeploy it first, so the controller tears it down), unless force. */
export async function deleteService(
  registry: Registry,
  ids: { environmentId: number; id: number },
  options: { etag: string; force: boolean },
  ctx: CallContext,
): Promise<InferenceService> {
  return registry.write(async (w) => {
    const service = await findService(w, ids);
    checkEtag(inferenceServiceName(ids.environmentId, ids.id), service, options.etag);
    if (!options.force && service.desiredState === "DEPLOYED") {
      throw new FailedPreconditionError(
        `${inferenceServiceName(ids.environmentId, ids.id)} is DEPLOYED; set desired_state to UNDEPLOYED first or pass force`,
        "INFERENCE_SERVICE_DEPLOYED",
      );
    }
    const now = registry.now();
    await deleteRecordsOf(registry, w, "inference-service", [service.id], now, ctx);
    await w.deployments.deleteServiceRows(service.id);
    recordDeleted(registry, w, { type: "InferenceService", value: service }, now, ctx);
    return service;
  });
}

/** Records what a controller observes; the reporter is the caller. One UPDATED event. */
export async function reportStatus(
  registry: Registry,
  ids: { environmentId: number; id: number },
  status: StatusInput,
  ctx: CallContext,
): Promise<InferenceService> {
  const v = new Violations();
  v.uri("status.url", status.url, false);
  v.text("status.message", status.message, LIMITS.description);
  if (!Number.isSafeInteger(status.observedRevision) || status.observedRevision < 0) v.add("status.observed_revision", "must not be negative");
  v.throwIfAny();
  return registry.write(async (w) => {
    const current = await findService(w, ids);
    let servingVersionId: number | null = null;
    if (status.servingVersion) {
      const version = await registry.findVersion(w, status.servingVersion);
      if (version.modelId !== current.modelId) {
        throw InvalidArgumentError.field(
          "status.serving_model_version",
          `must be a version of ${modelName(current.modelId)}`,
          "VERSION_OF_OTHER_MODEL",
        );
      }
      servingVersionId = version.id;
    }
    if (status.observedRevision > current.specRevision) {
      throw InvalidArgumentError.field("status.observed_revision", `is beyond the service's spec_revision ${current.specRevision}`);
    }
    const now = registry.now();
    const updated: InferenceService = {
      ...current,
      status: {
        servingVersionId,
        ready: status.ready,
        url: status.url,
        observedRevision: status.observedRevision,
        message: status.message,
        reportTime: now,
        reporter: ctx.actor,
      },
      updateTime: now,
      revision: w.allocateRevision(),
    };
    await w.deployments.updateService(updated);
    registry.record(w, "UPDATED", { type: "InferenceService", value: updated }, { type: "InferenceService", value: current }, ctx);
    return updated;
  });
}
