import { type Authenticator, type HeaderSource, header, type Peer } from "./authenticator.js";
import { authorize, type Decision, type ModelNameLookup } from "./authorize.js";
import { type CallPolicy, type CallRequest, requirementOf } from "./call-requirements.js";
import { type CallerDescription, describeCaller } from "./caller.js";
import { hasGlobalPermission, type Identity } from "./identity.js";
import { createResourceReadFilter, eventReadable, type ResourceReadFilter } from "./read-filter.js";
import type { RegistryEvent } from "../registry/core/types.js";
import { type StreamAccess, watchStreamAccess } from "./stream-access.js";

/** What an allowed call must respect while it runs. */
export interface CallPermit extends Decision {
  /** Set when the caller reads only some models: pass resources and events (Watch, audit log) through it. */
  readFilter: ResourceReadFilter | null;
}

/**
 * Authentication and authorisation for one call, independent of the transport. The Connect
 * interceptor (src/api/shared/auth-interceptor.ts) uses it for gRPC, gRPC-Web and Connect on both
 * ports; another transport (the REST gateway) does the same three steps per request:
 *
 *     const identity = await guard.authenticate(req.headers, { address: req.socket.remoteAddress });
 *     const permit = await guard.authorize(identity, "GetRegisteredModel", { name: "registeredModels/7" });
 *     const actor = guard.actorOf(identity, req.headers); // the actor of the events the call records
 *
 * `authorize` takes the name of the ModelRegistryService RPC the request corresponds to and a
 * request object with that RPC's fields in camelCase (only the fields naming models matter),
 * and throws PermissionDeniedError; `authenticate` throws UnauthenticatedError. Lists across
 * models must drop items of models for which `permit.visibleModels(displayName)` is false.
 */
export interface CallGuard {
  /** False when authentication is off: every caller is an anonymous admin, the actor comes from x-actor. */
  readonly enabled: boolean;
  authenticate(headers: HeaderSource, peer: Peer): Promise<Identity>;
  authorize(identity: Identity, method: string, request: CallRequest): Promise<CallPermit>;
  /** The authenticated subject; with authentication off, the x-actor header (or "anonymous"). */
  actorOf(identity: Identity, headers: HeaderSource): string;
  /** Who the caller is and what it may do (GetCaller): its subject as actorOf gives it, roles, grants, protected aliases. */
  describe(identity: Identity, headers: HeaderSource): CallerDescription;
  /**
   * For a stream that stays open (Watch): what ends it when its credentials stop covering it
   * (see stream-access.ts), after authenticate and authorize allowed it. Null when nothing can
   * change (authentication off, a call without credentials). Close it when the stream ends.
   */
  watchStream(identity: Identity, call: StreamCall): StreamAccess | null;
  /**
   * Whether a subject may read an event now, as its Watch would (webhook deliveries: the owner's
   * grants checked per event); null when the subject is unknown or may not watch at all.
   */
  ownerAccess(subject: string): Promise<((event: RegistryEvent) => Promise<boolean>) | null>;
}

/** A stream's request as authenticate and authorize saw it, to check it again later. */
export interface StreamCall {
  headers: HeaderSource;
  peer: Peer;
  method: string;
  request: CallRequest;
}

export interface CallGuardOptions {
  authenticator: Authenticator;
  policy: CallPolicy;
  /** Model display names by id, for grants limited to some models. */
  lookup: ModelNameLookup;
}

const UNRESTRICTED: CallPermit = { visibleModels: null, readFilter: null };
/** Webhooks, and their events in Watch and the audit log, are only for those who may manage them. */
const NO_WEBHOOKS: CallPermit = { visibleModels: null, readFilter: async (resource) => resource.type !== "Webhook" };

export function createCallGuard(options: CallGuardOptions): CallGuard {
  const { authenticator, policy, lookup } = options;
  const actorOf = (identity: Identity, headers: HeaderSource): string => {
    if (identity.method !== "anonymous") return identity.subject;
    return header(headers, "x-actor")?.trim() || "anonymous";
  };
  const permit = async (identity: Identity, method: string, request: CallRequest): Promise<CallPermit> => {
    if (!authenticator.enabled) return UNRESTRICTED;
    const decision = await authorize(identity, requirementOf(method, request, policy), lookup, method || "this call");
    if (!decision.visibleModels) return hasGlobalPermission(identity, "webhooks.manage") ? UNRESTRICTED : NO_WEBHOOKS;
    return { ...decision, readFilter: createResourceReadFilter(decision.visibleModels, lookup) };
  };
  return {
    get enabled() {
      return authenticator.enabled;
    },
    authenticate: (headers, peer) => authenticator.authenticate(headers, peer),
    authorize: permit,
    watchStream(identity, call) {
      if (!authenticator.enabled || (identity.expiresAt === undefined && identity.method !== "token" && identity.method !== "certificate"))
        return null;
      return watchStreamAccess({
        identity,
        onChange: (listener) => authenticator.onChange(listener),
        recheck: async () => {
          const now = await authenticator.authenticate(call.headers, call.peer);
          await permit(now, call.method, call.request);
          return now;
        },
      });
    },
    actorOf,
    describe: (identity, headers) =>
      describeCaller(identity, actorOf(identity, headers), {
        authenticationRequired: authenticator.enabled,
        protectedAliases: policy.protectedAliases,
      }),
    async ownerAccess(subject) {
      const identity = authenticator.identityOf(subject);
      if (!identity) return null;
      const granted = await permit(identity, "Watch", {}).catch(() => null);
      const filter = granted?.readFilter;
      return granted && (filter ? (event) => eventReadable(filter, event) : async () => true);
    },
  };
}
