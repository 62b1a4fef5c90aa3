import type { StoreReader, StoreWriter } from "../ports/store.js";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../core/errors.js";
import { deleteRecordsOf } from "../artifacts/records.js";
import { applyMask, type MaskSpec } from "../core/field-mask.js";
import type { Update } from "../core/inputs.js";
import type { DeploymentStatus, DesiredState, InferenceService, CallContext, ListRequest, Page, Properties } from "../core/types.js";
import { ALIAS_PATTERN, environmentName, inferenceServiceName } from "../core/resource-names.js";
import { SERVICE_LIST } from "../shared/list-specs.js";
import { checkEtag, recordDeleted } from "../shared/changes.js";
import { prepareList, toPage } from "../shared/list-query.js";
import { modelName, parseModelName, parseVersionName, type VersionRef, versionName } from "../core/names.js";
import { queryDigest } from "../shared/page-token.js";
import type { Registry } from "../shared/registry.js";
import { LIMITS, Violations } from "../core/validate.js";
import { findModel, findVersion } from "../shared/find.js";
import { unitOf } from "../shared/registry.js";
import { findEnvironment } from "./environments.js";

/**
 * Serving environments and inference services: the intent to serve a model (pinned version,
 * alias or latest) and what a controller reports back. Spec changes bump spec_revision, which
 * controllers echo as observed_revision, so "is it rolled out?" is observed == spec.
 */

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

async function findService(r: StoreReader, ids: { environmentId: number; id: number }): Promise<InferenceService> {
  const s = await r.deployments.getService(ids.id);
  if (!s || s.environmentId !== ids.environmentId) throw new NotFoundError(inferenceServiceName(ids.environmentId, ids.id));
  return s;
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
  const model = await findModel(w, { id: parseModelName(input.registeredModel, "inference_service.registered_model") });
  let version = null;
  if (input.modelVersion !== "") {
    const ref = parseVersionName(input.modelVersion, "inference_service.model_version");
    if (ref.selector.kind !== "id") {
      throw InvalidArgumentError.field(
        "inference_service.model_version",
        "pin a version by id; follow an alias with the alias field, latest by leaving both empty",
      );
    }
    version = await findVersion(w, ref);
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
  return unitOf(registry).write(async (w) => {
    await findEnvironment(w, { id: environmentId });
    const spec = await resolveSpec(registry, w, input);
    const now = unitOf(registry).now();
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
    unitOf(registry).record(w, "CREATED", { type: "InferenceService", value: stored }, null, ctx);
    return stored;
  });
}

export async function getService(registry: Registry, ids: { environmentId: number; id: number }): Promise<InferenceService> {
  return unitOf(registry).read((r) => findService(r, ids));
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
  const prepared = prepareList(request, SERVICE_LIST, unitOf(registry).store.tokenKey(), queryDigest(parent, deployingText));
  return unitOf(registry).read(async (r) => {
    if (environmentId !== undefined) await findEnvironment(r, { id: environmentId });
    let scope: Parameters<typeof r.deployments.listServices>[0] = { environmentId };
    if (deploying) {
      const version = await findVersion(r, deploying);
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
  return unitOf(registry).write(async (w) => {
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
      updateTime: unitOf(registry).now(),
      revision,
    };
    await w.deployments.updateService(updated);
    const stored = (await w.deployments.getService(updated.id))!;
    unitOf(registry).record(w, "UPDATED", { type: "InferenceService", value: stored }, { type: "InferenceService", value: current }, ctx);
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
  return unitOf(registry).write(async (w) => {
    const service = await findService(w, ids);
    checkEtag(inferenceServiceName(ids.environmentId, ids.id), service, options.etag);
    if (!options.force && service.desiredState === "DEPLOYED") {
      throw new FailedPreconditionError(
        `${inferenceServiceName(ids.environmentId, ids.id)} is DEPLOYED; set desired_state to UNDEPLOYED first or pass force`,
        "INFERENCE_SERVICE_DEPLOYED",
      );
    }
    const now = unitOf(registry).now();
    await deleteRecordsOf(registry, w, "inference-service", [service], now, ctx);
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
  return unitOf(registry).write(async (w) => {
    const current = await findService(w, ids);
    let servingVersionId: number | null = null;
    if (status.servingVersion) {
      const version = await findVersion(w, status.servingVersion);
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
    const now = unitOf(registry).now();
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
    unitOf(registry).record(w, "UPDATED", { type: "InferenceService", value: updated }, { type: "InferenceService", value: current }, ctx);
    return updated;
  });
}
