import type { CallPermit } from "../../auth/call-guard.js";
import { InvalidArgumentError, NotFoundError } from "../../registry/core/errors.js";
import { lookupModelById } from "../../registry/shared/by-id.js";
import { extrasOf, extrasOfOne, idOfExternalId } from "../../registry/kubeflow/use-cases.js";
import type { ExtrasType } from "../../registry/kubeflow/extras.js";
import type { Extras } from "../../registry/core/record-types.js";
import type { Registry } from "../../registry/shared/registry.js";
import type { Page } from "../../registry/core/types.js";
import { idIn } from "./convert.js";
import { RestError } from "./errors.js";
import { checkParams, envelope, quoteLiteral } from "./query.js";

/** Plumbing shared by the REST resource handlers. */

/** The parameters of a find endpoint (GET /registered_model?name=…): at least name or externalId. */
export interface FindParams {
  name: string | undefined;
  externalId: string | undefined;
  parentResourceId: number | undefined;
}

export function findParams(query: URLSearchParams, withParent: boolean): FindParams {
  checkParams(query, withParent ? ["name", "externalId", "parentResourceId"] : ["name", "externalId"]);
  const name = query.get("name") ?? undefined;
  const externalId = query.get("externalId") ?? undefined;
  const parent = query.get("parentResourceId");
  if (!name && !externalId) {
    throw new InvalidArgumentError("set name or externalId (or both) to find a resource", [
      { field: "name", description: "name or externalId is required" },
    ]);
  }
  return { name: name || undefined, externalId: externalId || undefined, parentResourceId: parent ? idIn(parent, "parentResourceId") : undefined };
}

/** The one match of a find: none is 404; several (a name without its parent) is 400. */
export function single<T>(items: T[], what: string): T {
  if (items.length === 0) throw new NotFoundError(what);
  if (items.length > 1) {
    throw InvalidArgumentError.field("parentResourceId", `several resources match ${what}; set parentResourceId`, "AMBIGUOUS_NAME");
  }
  return items[0]!;
}

/** Whether a restricted caller (grants on some models only) may see a model, by display name. */
export function visible(permit: Pick<CallPermit, "visibleModels">, modelDisplayName: string | undefined): boolean {
  return !permit.visibleModels || (modelDisplayName !== undefined && permit.visibleModels(modelDisplayName));
}

export type ModelRef = { displayName: string } | { id: number } | null;

/** Drops the items of models the caller may not read from a page across models. */
export async function narrow<T>(
  registry: Registry,
  permit: Pick<CallPermit, "visibleModels">,
  items: T[],
  modelOf: (item: T) => ModelRef | Promise<ModelRef>,
): Promise<T[]> {
  if (!permit.visibleModels) return items;
  const names = new Map<number, Promise<string | undefined>>();
  const nameOf = (id: number) => {
    if (!names.has(id))
      names.set(
        id,
        lookupModelById(registry, id).then((model) => model?.displayName),
      );
    return names.get(id)!;
  };
  const flags = await Promise.all(
    items.map(async (item) => {
      const model = await modelOf(item);
      if (model === null) return false;
      return visible(permit, "displayName" in model ? model.displayName : await nameOf(model.id));
    }),
  );
  return items.filter((_, i) => flags[i]);
}

export const ok = (body: unknown) => ({ status: 200, body });
export const created = (body: unknown) => ({ status: 201, body });

/** Converts a resource with its Kubeflow-only fields (extras). */
export type OutWithExtras<T> = (resource: T, extras: Extras | undefined) => unknown;

/** A resource with its extras, 200. */
export async function okWithExtras<T extends { id: number }>(registry: Registry, resource: T, out: OutWithExtras<T>) {
  return ok(out(resource, await extrasOfOne(registry, resource.id)));
}

/** A page of resources with their extras in Kubeflow's list envelope, 200. */
export async function okPageWithExtras<T extends { id: number }>(registry: Registry, page: Page<T>, pageSize: number, out: OutWithExtras<T>) {
  const extras = await extrasOf(
    registry,
    page.items.map((item) => item.id),
  );
  return ok(envelope(page, pageSize, (item) => out(item, extras.get(item.id))));
}

/**
 * The filter of a list's `name` and `externalId` query parameters: an external id no live
 * resource of the type holds matches nothing.
 */
export async function nameAndExternalIdFilter(registry: Registry, query: URLSearchParams, type: ExtrasType): Promise<string[]> {
  const extraFilter: string[] = [];
  const name = query.get("name");
  if (name) extraFilter.push(`name = ${quoteLiteral(name)}`);
  const externalId = query.get("externalId");
  if (externalId) extraFilter.push(`id = ${(await idOfExternalId(registry, type, externalId)) ?? 0}`);
  return extraFilter;
}

/**
 * Runs a create whose body (not its path) names other resources: one that does not exist is not
 * a 404 (the path exists) but the status the OpenAPI document gives such a create, 422 where it
 * lists one (model versions, experiment runs) and 400 otherwise.
 */
export async function withBodyReferences<T>(status: 400 | 422, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof NotFoundError) throw new RestError(status, error.message, "REFERENCE_NOT_FOUND");
    throw error;
  }
}
