import type { Peer } from "../../auth/authenticator.js";
import type { CallGuard } from "../../auth/call-guard.js";
import type { Identity } from "../../auth/identity.js";
import { badField } from "./errors.js";
import type { IncomingRequest } from "./body.js";

/**
 * Who is calling, for every REST request, the same way the Connect interceptor does it for RPCs
 * (src/api/shared/auth-interceptor.ts): the CallGuard authenticates the request's credentials (bearer
 * token, JWT, client certificate; UnauthenticatedError → 401), and the actor recorded in events
 * is the authenticated subject, or the x-actor header when authentication is off. Each handler
 * then authorizes its operation as the ModelRegistryService RPC it corresponds to.
 */
export async function restIdentity(guard: CallGuard, req: IncomingRequest, peer: Peer): Promise<{ identity: Identity; actor: string }> {
  const identity = await guard.authenticate(req.headers, peer);
  const actor = guard.actorOf(identity, req.headers);
  if (actor.length > 255 || /[\u0000-\u001f\u007f]/.test(actor)) throw badField("x-actor", "must be at most 255 printable characters");
  return { identity, actor };
}
