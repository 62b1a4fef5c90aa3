import type { Update } from "../../registry/core/inputs.js";
import type { ExtrasType } from "../../registry/kubeflow/extras.js";
import type { ListSpec } from "../../registry/shared/list-specs.js";
import type { Registry } from "../../registry/shared/registry.js";
import type { CallContext, ListRequest, Page } from "../../registry/core/types.js";
import { type Shape, required } from "./body.js";
import type { Parsed } from "./convert.js";
import { checkParams, LIST_PARAMS } from "./query.js";
import { createdWithExtras, findOne, getByIdRoute, okList, okPatched, onId, route, words } from "./route-kit.js";
import type { RestRoute } from "./router.js";
import { okWithExtras, type OutWithExtras } from "./support.js";

/**
 * A top-level resource that every caller with the method's grant may read and write (experiments,
 * serving environments): its find, list, create, get and PATCH routes, which are the same for each.
 */
export interface TopLevelResource<T extends { id: number; displayName: string }, I> {
  /**
   * The type names the rest: its RPCs (GetX, ListXs, CreateX, UpdateX), request schemas (XCreate,
   * XUpdate), find path (/serving_environment), collection (/serving_environments) and path id
   * ({servingenvironmentId}).
   */
  type: ExtrasType;
  /** The request schemas of a create and of a PATCH. */
  bodies: [create: Shape, update: Shape];
  spec: ListSpec;
  /** A create or PATCH body. */
  parse(body: Record<string, unknown>): Parsed<I>;
  out: OutWithExtras<T>;
  get(registry: Registry, ref: { id: number } | { displayName: string }): Promise<T>;
  list(registry: Registry, request: ListRequest): Promise<Page<T>>;
  add(registry: Registry, input: I, ctx: CallContext): Promise<T>;
  change(registry: Registry, id: number, update: Update<I>, ctx: CallContext): Promise<T>;
}

export function topLevelRoutes<T extends { id: number; displayName: string }, I>(r: TopLevelResource<T, I>): RestRoute[] {
  const rpc = r.type;
  const find = `/${words(r.type).replace(/ /g, "_")}`;
  const collection = `${find}s`;
  const one = `${collection}/{${r.type.toLowerCase()}Id}`;
  return [
    route("GET", find, async (call) => {
      const found = await findOne(call, {
        type: r.type,
        byId: (id) => r.get(call.registry, { id }),
        byName: (name) => r.get(call.registry, { displayName: name }),
      });
      return okWithExtras(call.registry, found, r.out);
    }),
    route("GET", collection, async (call) => {
      checkParams(call.query, LIST_PARAMS);
      await call.authorize(`List${rpc}s`, {});
      return okList(call, { spec: r.spec }, (request) => r.list(call.registry, request), r.out);
    }),
    route("POST", collection, async (call) => {
      checkParams(call.query, []);
      const parsed = r.parse(required(await call.body(r.bodies[0], `${r.type}Create`), ["name"]));
      await call.authorize(`Create${rpc}`, {});
      return createdWithExtras(call, r.type, parsed, (scoped) => r.add(scoped, parsed.input, call.ctx), r.out);
    }),
    getByIdRoute(
      one,
      async (call, id) => {
        await call.authorize(`Get${rpc}`, {});
        return r.get(call.registry, { id });
      },
      r.out,
    ),
    onId("PATCH", one, async (call, id) => {
      const parsed = r.parse(await call.body(r.bodies[1], `${r.type}Update`));
      await call.authorize(`Update${rpc}`, {});
      const update = (scoped: Registry, change: Update<I>) => r.change(scoped, id, change, call.ctx);
      return okPatched(call, r.type, parsed, update, (scoped) => r.get(scoped, { id }), r.out);
    }),
  ];
}
