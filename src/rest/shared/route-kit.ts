import { NotFoundError } from "../../registry/core/errors.js";
import type { Update } from "../../registry/core/inputs.js";
import { createWithExtras, idOfExternalId, patchWithExtras } from "../../registry/kubeflow/use-cases.js";
import type { ExtrasType } from "../../registry/kubeflow/extras.js";
import type { Registry } from "../../registry/shared/registry.js";
import type { ListRequest, Page } from "../../registry/core/types.js";
import { idIn, type Parsed, updateOf } from "./convert.js";
import { badField } from "./errors.js";
import { checkParams, type ListOptions, listRequest, quoteLiteral } from "./query.js";
import type { RestCall, RestResult, RestRoute } from "./router.js";
import { created, findParams, ok, okPageWithExtras, okWithExtras, type OutWithExtras, single } from "./support.js";

/**
 * What the resources' routes repeat, in one place: a GET by path id, a find by name or
 * externalId, a list page, a create and a PATCH with their extras, a body's parent id checked
 * against the path. Each resource's routes name what differs: use cases, checks, conversions.
 */

/** A route of the table. */
export const route = (method: RestRoute["method"], path: string, handle: RestRoute["handle"]): RestRoute => ({ method, path, handle });

/**
 * A route whose path names one resource by id (its one `{param}`) and that takes no query
 * parameters: those are checked, then the id is parsed (404 when it does not), then `handle` runs.
 */
export function onId(method: RestRoute["method"], path: string, handle: (call: RestCall, id: number) => Promise<RestResult>): RestRoute {
  const param = /\{(\w+)\}/.exec(path)![1]!;
  return route(method, path, (call) => {
    checkParams(call.query, []);
    return handle(call, call.id(param));
  });
}

/** GET of one resource by its path id: `read` authorizes and reads it. */
export const getByIdRoute = <T extends { id: number }>(path: string, read: (call: RestCall, id: number) => Promise<T>, out: OutWithExtras<T>) =>
  onId("GET", path, async (call, id) => okWithExtras(call.registry, await read(call, id), out));

/** A resource type in words: "experiment run" for ExperimentRun. */
export const words = (type: string): string => type.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();

/** How a find endpoint (GET /experiment?name=…&externalId=…) reaches its resource; it is authorized as Get{type}. */
export interface FindSpec<T> {
  type: ExtrasType;
  byId(id: number): Promise<T>;
  /** By name, under the parentResourceId when given. */
  byName(name: string, parentId: number | undefined): Promise<T>;
  /** A resource under a parent (runs, services) takes parentResourceId. */
  parentOf?: (resource: T) => number;
}

/** The resource of a find: by externalId (which name and parent, when given, must match), else by name. */
export async function findOne<T extends { displayName: string }>(call: RestCall, spec: FindSpec<T>): Promise<T> {
  const find = findParams(call.query, spec.parentOf !== undefined);
  await call.authorize(`Get${spec.type}`, {});
  if (find.externalId === undefined) return spec.byName(find.name!, find.parentResourceId);
  const id = await idOfExternalId(call.registry, spec.type, find.externalId);
  let found = id === undefined ? undefined : await spec.byId(id);
  if (found && find.name !== undefined && found.displayName !== find.name) found = undefined;
  if (found && find.parentResourceId !== undefined && spec.parentOf?.(found) !== find.parentResourceId) found = undefined;
  if (!found) throw new NotFoundError(`${words(spec.type)} with externalId "${find.externalId}"`);
  return found;
}

/** The one resource with a name in a list (several, under different parents, is a 400: see `single`). */
export async function onlyNamed<T>(name: string, type: ExtrasType, list: (request: ListRequest) => Promise<Page<T>>): Promise<T> {
  const page = await list({ pageSize: 2, pageToken: "", filter: `name = ${quoteLiteral(name)}`, orderBy: "", showTotalSize: false });
  return single(page.items, `${words(type)} "${name}"`);
}

/** A list endpoint's answer: the ListRequest of its query, the page `read` returns, Kubeflow's envelope with extras. */
export async function okList<T extends { id: number }>(
  call: RestCall,
  options: ListOptions,
  read: (request: ListRequest) => Promise<Page<T>>,
  out: OutWithExtras<T>,
) {
  const { request, pageSize } = listRequest(call.query, options);
  return okPageWithExtras(call.registry, await read(request), pageSize, out);
}

/** Creates a resource and its extras in one transaction: 201 with both. */
export async function createdWithExtras<T extends { id: number }>(
  call: RestCall,
  type: ExtrasType,
  parsed: Parsed<unknown>,
  create: (scoped: Registry) => Promise<T>,
  out: OutWithExtras<T>,
) {
  const { resource, extras } = await createWithExtras(call.registry, type, parsed.extras, create);
  return created(out(resource, extras));
}

/** Applies a parsed PATCH body and its extras in one transaction (see patchWithExtras): 200 with both. */
export async function okPatched<T extends { id: number }, I>(
  call: RestCall,
  type: ExtrasType,
  parsed: Parsed<I>,
  update: (scoped: Registry, update: Update<I>) => Promise<T>,
  current: (scoped: Registry) => Promise<T> | T,
  out: OutWithExtras<T>,
) {
  const { resource, extras } = await patchWithExtras(call.registry, type, parsed, (scoped) => update(scoped, updateOf(parsed)), current);
  return ok(out(resource, extras));
}

/** A body's parent id (experimentId of a run posted under /experiments/{id}) must be the path's, or be left out. */
export function sameParent(body: Record<string, unknown>, field: string, pathId: number, what: string): void {
  if (body[field] !== undefined && idIn(body[field], field) !== pathId) throw badField(field, `must be the ${what} of the path (or be left out)`);
}
