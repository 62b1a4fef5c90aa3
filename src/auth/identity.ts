import { type Permission, ROLES } from "./permissions.js";

/**
 * One role given to an identity, on every model or only on the registered models whose
 * display name matches one of `models` (globs: `*` any run of characters, `?` one character).
 * Written `role` or `role:glob[|glob...]`, e.g. `viewer`, `editor:fraud-*`, `approver:fraud-*|churn-*`.
 */
export interface Grant {
  role: string;
  permissions: ReadonlySet<Permission>;
  /** The globs as written; null: every model (and every resource outside models). */
  models: readonly string[] | null;
  /** The globs compiled; null when models is null. */
  matcher: RegExp | null;
}

/**
 * Who is calling, established once per call by authenticate(). `subject` becomes the actor of
 * every event the call records.
 */
export interface Identity {
  /** The actor recorded in events: the token's subject, the JWT's sub (or configured claim), the certificate CN. */
  subject: string;
  /**
   * How the identity was established: "anonymous" only when authentication is off (every caller is
   * an admin); "unauthenticated" when it is on and a call without credentials gets the grants of
   * --anonymous-role (a call those grants do not allow is then UNAUTHENTICATED, not PERMISSION_DENIED).
   */
  method: "anonymous" | "unauthenticated" | "token" | "jwt" | "certificate";
  grants: readonly Grant[];
  /**
   * When the credential stops being accepted (epoch ms): a JWT's exp plus the clock skew allowed.
   * Streams opened with it end then (src/auth/stream-access.ts). Absent: no fixed end.
   */
  expiresAt?: number;
}

const GRANT = /^([a-z][a-z0-9_-]*)(?::(.+))?$/;

/** Parses `role` or `role:glob[|glob...]`; throws Error naming the problem (unknown role, empty glob). */
export function parseGrant(text: string): Grant {
  const m = GRANT.exec(text.trim());
  if (!m) throw new Error(`invalid grant "${text}": expected role or role:model-glob`);
  const role = m[1]!;
  const permissions = ROLES[role];
  if (!permissions) throw new Error(`unknown role "${role}" (known: ${Object.keys(ROLES).join(", ")})`);
  const models = m[2] === undefined ? null : m[2].split("|");
  if (models?.some((g) => g === "")) throw new Error(`invalid grant "${text}": empty model glob`);
  return { role, permissions: new Set(permissions), models, matcher: models ? globsToRegExp(models) : null };
}

/** One anchored expression for a list of display-name globs. */
export function globsToRegExp(globs: readonly string[]): RegExp {
  const one = (glob: string) =>
    [...glob].map((c) => (c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&"))).join("");
  return new RegExp(`^(?:${globs.map(one).join("|")})$`, "u");
}

/** Everything on everything: the identity of every call when authentication is off. */
export function anonymousIdentity(subject = "anonymous"): Identity {
  return { subject, method: "anonymous", grants: [parseGrant("admin")] };
}

/** Whether some grant gives the permission on every model (no model restriction). */
export function hasGlobalPermission(identity: Identity, permission: Permission): boolean {
  return identity.grants.some((g) => g.matcher === null && g.permissions.has(permission));
}

/** Whether some grant gives the permission at all, perhaps only on some models. */
export function hasAnyPermission(identity: Identity, permission: Permission): boolean {
  return identity.grants.some((g) => g.permissions.has(permission));
}

/** Whether the identity holds the permission on the registered model with this display name. */
export function allowsOnModel(identity: Identity, permission: Permission, modelDisplayName: string): boolean {
  return identity.grants.some((g) => g.permissions.has(permission) && (g.matcher === null || g.matcher.test(modelDisplayName)));
}

/** The grants as written, for messages: `editor:fraud-*, viewer`. */
export function describeGrants(identity: Identity): string {
  if (identity.grants.length === 0) return "no roles";
  return identity.grants.map((g) => (g.models ? `${g.role}:${g.models.join("|")}` : g.role)).join(", ");
}
