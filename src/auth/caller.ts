import type { Identity } from "./identity.js";
import { PERMISSIONS, type Permission } from "./permissions.js";

/**
 * Who the caller is and what it may do, as GetCaller answers it: what a client (the web UI)
 * needs to offer only the actions the server would allow. It describes; it decides nothing —
 * every call is still authorised on its own (authorize.ts).
 */
export interface CallerDescription {
  /** The actor of the events the caller causes (CallGuard.actorOf). */
  subject: string;
  method: Identity["method"];
  /** False when authentication is off (every caller is an anonymous admin). */
  authenticationRequired: boolean;
  grants: Array<{ role: string; modelGlobs: string[]; permissions: Permission[] }>;
  /** The permissions held on every model, in PERMISSIONS order. */
  globalPermissions: Permission[];
  /** The aliases only holders of aliases.set_protected may move, sorted. */
  protectedAliases: string[];
  /** Epoch ms at which the credential stops being accepted, when it has a fixed end. */
  expiresAt?: number;
}

/** Puts permissions in the table's order (PERMISSIONS), without repeats. */
const ordered = (held: Iterable<Permission>): Permission[] => {
  const set = new Set(held);
  return PERMISSIONS.filter((p) => set.has(p));
};

export function describeCaller(
  identity: Identity,
  subject: string,
  options: { authenticationRequired: boolean; protectedAliases: ReadonlySet<string> },
): CallerDescription {
  return {
    subject,
    method: identity.method,
    authenticationRequired: options.authenticationRequired,
    grants: identity.grants.map((g) => ({ role: g.role, modelGlobs: [...(g.models ?? [])], permissions: ordered(g.permissions) })),
    globalPermissions: ordered(identity.grants.filter((g) => g.matcher === null).flatMap((g) => [...g.permissions])),
    protectedAliases: [...options.protectedAliases].sort(),
    ...(identity.expiresAt !== undefined ? { expiresAt: identity.expiresAt } : {}),
  };
}
