import { createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { createAsyncIterable } from "@connectrpc/connect/protocol";
import { ModelRegistryService } from "../../../gen/modelregistry/v1/model_registry_service_pb.js";
import { WebhookService } from "../../../gen/modelregistry/v1/webhook_service_pb.js";
import type { Peer } from "../../auth/authenticator.js";
import type { ModelNameLookup } from "../../auth/authorize.js";
import type { CallGuard } from "../../auth/call-guard.js";
import type { CallRequest } from "../../auth/call-requirements.js";
import type { Identity } from "../../auth/identity.js";
import { eventReadable, type ResourceReadFilter } from "../../auth/read-filter.js";
import { InvalidArgumentError, NotFoundError } from "../../registry/core/errors.js";
import { parseModelName, parseVersionName } from "../../registry/core/names.js";
import type { Registry } from "../../registry/shared/registry.js";
import type { RegistryEvent } from "../../registry/core/types.js";
import { getModel } from "../../registry/models/models.js";

/** The other end of the connection, set by each server (main port and grpc-js port) per call. */
export const PEER_KEY = createContextKey<Peer>({}, { description: "peer" });

/** The authenticated caller; undefined before the auth interceptor ran. */
export const IDENTITY_KEY = createContextKey<Identity | undefined>(undefined, { description: "identity" });

/**
 * Set when the caller may read only some models: Watch and ListEvents pass each resource
 * through it (see createResourceReadFilter), so a watcher never sees another model's events.
 */
export const READ_FILTER_KEY = createContextKey<ResourceReadFilter | null>(null, { description: "read filter" });

/**
 * Aborted, with the error to end with as its reason, when the credentials an open stream was
 * authorised with stop covering it (src/auth/stream-access.ts): Watch ends then. Unset when
 * nothing can change (authentication off, no credentials).
 */
export const STREAM_REVOKED_KEY = createContextKey<AbortSignal | undefined>(undefined, { description: "stream credentials revoked" });

/** Services anyone may call without credentials: health, so that probes and load balancers work. */
const PUBLIC_SERVICES = new Set(["grpc.health.v1.Health"]);
/** Services any authenticated caller may use: reflection describes the public schema only. */
const AUTHENTICATED_SERVICES = new Set(["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"]);

/** Services whose methods have rules in the permission table (their method names never collide). */
const RULED_SERVICES = new Set([ModelRegistryService.typeName, WebhookService.typeName]);

/** The display name of a model by id, undefined when it does not exist. */
export function modelNameLookup(registry: Registry): ModelNameLookup {
  return async (id) => {
    try {
      return (await getModel(registry, { id })).displayName;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  };
}

/**
 * Authentication and authorisation of every RPC, on every port (the Connect server and the
 * grpc-js fast path run the same interceptors), through the transport-independent CallGuard
 * (src/auth/call-guard.ts): it authenticates the caller, stores the identity in the context
 * (call-context.ts makes it the actor of events), checks the call against the permission table
 * (src/auth/call-requirements.ts), and narrows what restricted callers get back from lists
 * across models; Watch and ListEvents narrow their events with READ_FILTER_KEY, and Watch ends
 * when its credentials are revoked, expire or lose grants (STREAM_REVOKED_KEY). Runs inside the
 * error interceptor, so its domain errors become UNAUTHENTICATED and PERMISSION_DENIED there.
 */
export function createAuthInterceptor(guard: CallGuard, lookup: ModelNameLookup): Interceptor {
  return (next) => async (req) => {
    const service = req.service.typeName;
    if (PUBLIC_SERVICES.has(service)) return next(req);
    const identity = await guard.authenticate(req.header, req.contextValues.get(PEER_KEY));
    req.contextValues.set(IDENTITY_KEY, identity);
    if (!guard.enabled || AUTHENTICATED_SERVICES.has(service)) return next(req);
    // Another service (one added next to the registry) or a client stream: no rule exists, so
    // requirementOf("") lets only admins pass.
    let method = RULED_SERVICES.has(service) ? req.method.name : "";
    let forward = req;
    let message: CallRequest = {};
    if (!req.stream) message = req.message as CallRequest;
    else if (req.method.methodKind === "server_streaming") {
      message = (await single(req.message)) as CallRequest;
      forward = { ...req, message: createAsyncIterable([message]) } as typeof req;
    } else method = "";
    const permit = await guard.authorize(identity, method, message);
    if (req.stream && req.method.methodKind === "server_streaming") {
      const access = guard.watchStream(identity, { headers: req.header, peer: req.contextValues.get(PEER_KEY), method, request: message });
      if (access) {
        req.contextValues.set(STREAM_REVOKED_KEY, access.revoked);
        // The call's signal aborts when the call ends, for any reason.
        if (req.signal.aborted) access.close();
        else req.signal.addEventListener("abort", () => access.close(), { once: true });
      }
    }
    if (permit.readFilter) req.contextValues.set(READ_FILTER_KEY, permit.readFilter);
    if (!permit.visibleModels) return next(forward);
    const res = await next(forward);
    if (!res.stream) await narrowList(req.method.name, res.message, permit.visibleModels, lookup);
    return res;
  };
}

/** The one request message of a server-streaming call. */
async function single<T>(messages: AsyncIterable<T>): Promise<T> {
  let first: T | undefined;
  let count = 0;
  for await (const m of messages) {
    if (count++ === 0) first = m;
  }
  if (count !== 1) throw new InvalidArgumentError(`expected one request message, got ${count}`);
  return first as T;
}

type ListResponse = Record<string, unknown> & { totalSize?: bigint };

/**
 * Drops (in place) the items of models the caller may not read from a List page across models. The page
 * may then be shorter than page_size (next_page_token still continues it), and total_size is
 * cleared, because counting what the caller cannot see would reveal it.
 */
async function narrowList(method: string, message: ListResponse, visible: (name: string) => boolean, lookup: ModelNameLookup): Promise<void> {
  const memo = new Map<number, Promise<string | undefined>>();
  const byId = async (id: number) => {
    if (!memo.has(id)) memo.set(id, lookup(id));
    const name = await memo.get(id)!;
    return name !== undefined && visible(name);
  };
  const keep = async <T>(field: string, test: (item: T) => Promise<boolean> | boolean) => {
    const items = message[field] as T[];
    const flags = await Promise.all(items.map(test));
    message[field] = items.filter((_, i) => flags[i]);
    if (typeof message.totalSize === "bigint") message.totalSize = 0n;
  };
  switch (method) {
    case "ListRegisteredModels":
      await keep<{ displayName: string }>("registeredModels", (m) => visible(m.displayName));
      break;
    case "ListModelVersions":
      await keep<{ name: string }>("modelVersions", (v) => byId((parseVersionName(v.name).model as { id: number }).id));
      break;
    case "ListAliases":
      await keep<{ registeredModelDisplayName: string }>("aliases", (a) => visible(a.registeredModelDisplayName));
      break;
    case "ListAliasHistory":
      await keep<{ registeredModel: string }>("entries", (e) => byId(parseModelName(e.registeredModel)));
      break;
  }
}

/** The events of a page a restricted caller may see (all of them for everyone else). */
export async function readableEvents(ctx: HandlerContext, events: RegistryEvent[]): Promise<RegistryEvent[]> {
  const filter = ctx.values.get(READ_FILTER_KEY);
  if (!filter) return events;
  const flags = await Promise.all(events.map((e) => eventReadable(filter, e)));
  return events.filter((_, i) => flags[i]);
}
