import { PermissionDeniedError, UnauthenticatedError } from "../registry/core/errors.js";
import type { CallRequirement, ModelRef } from "./call-requirements.js";
import { allowsOnModel, describeGrants, hasAnyPermission, hasGlobalPermission, type Identity } from "./identity.js";
import type { Permission } from "./permissions.js";

/** The display name of a model by id, or undefined when there is no such model. */
export type ModelNameLookup = (id: number) => Promise<string | undefined>;

/** The outcome of an allowed call. */
export interface Decision {
  /**
   * Null when the caller reads every model. Otherwise the caller's grants cover only some
   * models: whatever the call returns across models (List pages, Watch events, the audit log)
   * must be narrowed to the models this predicate accepts, by display name.
   */
  visibleModels: ((displayName: string) => boolean) | null;
}

/**
 * Throws PermissionDeniedError (naming the missing permission) unless the identity may make a
 * call with this requirement (see requirementOf). Grants on every model decide at once; grants
 * limited to some models need the models the call touches, looked up by id only for such
 * callers. A model that does not exist is denied to a restricted caller, so that its grants
 * do not reveal which ids exist. `action` (the RPC name) only goes into the message.
 */
export async function authorize(identity: Identity, requirement: CallRequirement, lookup: ModelNameLookup, action: string): Promise<Decision> {
  const { scope } = requirement;
  let touched: Array<{ ref: ModelRef; name: string | undefined }> | undefined;
  for (const permission of requirement.permissions) {
    if (hasGlobalPermission(identity, permission)) continue;
    if (!hasAnyPermission(identity, permission) || scope.kind === "registry") throw denied(identity, permission, action);
    if (scope.kind === "all-models") continue;
    touched ??= await Promise.all(scope.models().map(async (ref) => ({ ref, name: "displayName" in ref ? ref.displayName : await lookup(ref.id) })));
    for (const { ref, name } of touched) {
      if (name === undefined || !allowsOnModel(identity, permission, name)) throw denied(identity, permission, action, ref);
    }
  }
  return { visibleModels: modelReadFilter(identity) };
}

/** Which models the identity may read, when that is not all of them. */
export function modelReadFilter(identity: Identity): Decision["visibleModels"] {
  if (hasGlobalPermission(identity, "models.read")) return null;
  return (displayName) => allowsOnModel(identity, "models.read", displayName);
}

/** A caller without credentials (--anonymous-role) is told to send some; anyone else is denied. */
function denied(identity: Identity, permission: Permission, action: string, ref?: ModelRef): PermissionDeniedError | UnauthenticatedError {
  const on = ref === undefined ? "" : "id" in ref ? ` on registeredModels/${ref.id}` : ` on registered model ${JSON.stringify(ref.displayName)}`;
  if (identity.method === "unauthenticated") {
    return new UnauthenticatedError(
      `authentication required: ${action} needs permission "${permission}"${on}, which callers without credentials (${describeGrants(identity)}) lack; send "authorization: Bearer <token>"`,
      "CREDENTIALS_REQUIRED",
    );
  }
  return new PermissionDeniedError(
    `permission denied: ${action} needs permission "${permission}"${on}; ${identity.subject} has ${describeGrants(identity)}`,
    permission,
  );
}
