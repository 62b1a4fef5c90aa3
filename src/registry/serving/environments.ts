import type { StoreReader } from "../ports/store.js";
import { FailedPreconditionError, NotFoundError } from "../core/errors.js";
import { deleteRecordsOf } from "../artifacts/records.js";
import { applyMask, type MaskSpec } from "../core/field-mask.js";
import type { Update } from "../core/inputs.js";
import type { ServingEnvironment, CallContext, ListRequest, Page, Properties } from "../core/types.js";
import { environmentName } from "../core/resource-names.js";
import { ENVIRONMENT_LIST } from "../shared/list-specs.js";
import { checkEtag, recordDeleted, freshStamps, saveUpdate, saveNew } from "../shared/changes.js";
import { prepareList, toPage } from "../shared/list-query.js";
import type { Registry } from "../shared/registry.js";
import { describeUsage } from "../shared/usage.js";
import { LIMITS, Violations } from "../core/validate.js";
import { unitOf } from "../shared/registry.js";

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

const ENVIRONMENT_MASK: MaskSpec<ServingEnvironment> = {
  fields: { display_name: "displayName", description: "description", labels: "labels", custom_properties: "customProperties" },
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

export async function findEnvironment(r: StoreReader, ref: { id: number } | { displayName: string }): Promise<ServingEnvironment> {
  const e = "id" in ref ? await r.deployments.getEnvironment(ref.id) : await r.deployments.getEnvironmentByDisplayName(ref.displayName);
  if (!e) throw new NotFoundError("id" in ref ? environmentName(ref.id) : `serving environment "${ref.displayName}"`);
  return e;
}

export async function createEnvironment(registry: Registry, input: EnvironmentInput, ctx: CallContext): Promise<ServingEnvironment> {
  validateEnvironment(input);
  return unitOf(registry).write(async (w) => {
    const env: ServingEnvironment = { ...input, ...freshStamps(registry, w) };
    return saveNew(registry, w, { type: "ServingEnvironment", value: env }, (value) => w.deployments.insertEnvironment(value), ctx);
  });
}

export async function getEnvironment(registry: Registry, ref: { id: number } | { displayName: string }): Promise<ServingEnvironment> {
  return unitOf(registry).read((r) => findEnvironment(r, ref));
}

export async function listEnvironments(registry: Registry, request: ListRequest): Promise<Page<ServingEnvironment>> {
  const prepared = prepareList(request, ENVIRONMENT_LIST, unitOf(registry).store.tokenKey(), "servingEnvironments");
  return unitOf(registry).read(async (r) => toPage(prepared, await r.deployments.listEnvironments(prepared.query), await r.revision(), (e) => e));
}

export async function updateEnvironment(
  registry: Registry,
  id: number,
  update: Update<EnvironmentInput>,
  ctx: CallContext,
): Promise<ServingEnvironment> {
  return unitOf(registry).write(async (w) => {
    const current = await findEnvironment(w, { id });
    checkEtag(environmentName(id), current, update.etag);
    const next = applyMask(current, update.input, update.mask, ENVIRONMENT_MASK);
    validateEnvironment(next);
    return saveUpdate(registry, w, { type: "ServingEnvironment", value: current }, next, (value) => w.deployments.updateEnvironment(value), ctx);
  });
}

/** Deletes an environment with its services (each with a DELETED event); refused while one is DEPLOYED, unless force. */
export async function deleteEnvironment(
  registry: Registry,
  id: number,
  options: { etag: string; force: boolean },
  ctx: CallContext,
): Promise<{ environment: ServingEnvironment; services: number }> {
  return unitOf(registry).write(async (w) => {
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
    const now = unitOf(registry).now();
    await deleteRecordsOf(registry, w, "inference-service", services, now, ctx);
    for (const s of services) {
      await w.deployments.deleteServiceRows(s.id);
      recordDeleted(registry, w, { type: "InferenceService", value: s }, now, ctx);
    }
    await w.deployments.deleteEnvironmentRows(id);
    recordDeleted(registry, w, { type: "ServingEnvironment", value: environment }, now, ctx);
    return { environment, services: services.length };
  });
}
