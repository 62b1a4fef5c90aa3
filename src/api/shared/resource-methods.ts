import type { HandlerContext } from "@connectrpc/connect";
import type { Update } from "../../registry/core/inputs.js";
import type { CallContext, ListRequest, Page } from "../../registry/core/types.js";
import type { Registry } from "../../registry/shared/registry.js";
import { callContext, listRequest } from "./call-context.js";
import { pageFields, required, updateParts } from "./handler-kit.js";

/**
 * How a resource travels: the field that holds one (`experimentRun`; a List response holds its
 * plural, `experimentRuns`, and errors name the request field in snake case, `experiment_run`),
 * its name and its conversions.
 */
export interface ResourceSpec<One extends string, Pb, Resource, Input, Target> {
  one: One;
  parseName: (name: string, field: string) => Target;
  in: (message: Pb) => Input;
  out: (resource: Resource) => Pb;
}

type ListFields = { pageSize: number; pageToken: string; filter: string; orderBy: string; showTotalSize: boolean };
type Mutation = { reason: string };

/**
 * The standard methods of a resource (AIP-131..134: Create, Get, List, Update), built from its use
 * cases, which share one signature per method: each returns a handler method that parses the
 * request, calls the use case and converts. `respond` and `page` wrap one resource and a page for the
 * methods a handler writes out (Delete, the custom methods, and Lists with more than a parent). The functions that pick from the request
 * are typed by the method they are assigned to (`satisfies Methods`).
 */
export function resourceMethods<One extends string, Pb extends { name: string; etag: string }, Resource, Input, Target>(
  registry: Registry,
  spec: ResourceSpec<One, Pb, Resource, Input, Target>,
) {
  const field = spec.one.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const respond = (resource: Resource) => ({ [spec.one]: spec.out(resource) }) as { [K in One]: Pb };
  const page = (result: Page<Resource>) =>
    ({ [`${spec.one}s`]: result.items.map(spec.out), ...pageFields(result) }) as { [K in `${One}s`]: Pb[] } & ReturnType<typeof pageFields>;
  const input = (message: Pb | undefined) => spec.in(required(message, field));
  return {
    respond,
    /** A List response: the page's items converted, and its envelope. */
    page,

    /** Create at the top level: the request's resource (required), converted. */
    create:
      <Req extends Mutation>(
        create: (registry: Registry, input: Input, call: CallContext) => Promise<Resource>,
        message: (req: Req) => Pb | undefined,
      ) =>
      async (req: Req, ctx: HandlerContext) =>
        respond(await create(registry, input(message(req)), callContext(ctx, req.reason))),

    /** Create under a parent: the parent parsed first, then the request's resource (required), converted. */
    createIn:
      <Req extends Mutation, Parent>(
        create: (registry: Registry, parent: Parent, input: Input, call: CallContext) => Promise<Resource>,
        parent: (req: Req) => Parent,
        message: (req: Req) => Pb | undefined,
      ) =>
      async (req: Req, ctx: HandlerContext) => {
        const under = parent(req);
        return respond(await create(registry, under, input(message(req)), callContext(ctx, req.reason)));
      },

    /** Get the resource the request addresses. */
    get:
      <Req, Ref>(get: (registry: Registry, ref: Ref) => Promise<Resource>, ref: (req: Req) => Ref) =>
      async (req: Req) =>
        respond(await get(registry, ref(req))),

    /** List at the top level. */
    list:
      <Req extends ListFields>(list: (registry: Registry, request: ListRequest) => Promise<Page<Resource>>) =>
      async (req: Req) =>
        page(await list(registry, listRequest(req))),

    /** List under a parent (parsed by `scope`). */
    listIn:
      <Req extends ListFields, Scope>(
        list: (registry: Registry, scope: Scope, request: ListRequest) => Promise<Page<Resource>>,
        scope: (req: Req) => Scope,
      ) =>
      async (req: Req) =>
        page(await list(registry, scope(req), listRequest(req))),

    /** Update with the request's resource, its mask and etag (see updateParts). */
    update:
      <Req extends Mutation & { updateMask?: { paths: string[] } }>(
        update: (registry: Registry, target: Target, update: Update<Input>, call: CallContext) => Promise<Resource>,
        message: (req: Req) => Pb | undefined,
      ) =>
      async (req: Req, ctx: HandlerContext) =>
        respond(await update(registry, ...updateParts(message(req), field, spec.parseName, spec.in, req, ctx))),
  };
}
