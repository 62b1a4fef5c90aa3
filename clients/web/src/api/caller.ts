import { useQuery } from "@connectrpc/connect-query";
import type { Caller } from "../../../../gen/modelregistry/v1/caller_pb.js";
import { rpc } from "./methods.js";

/**
 * What the caller may do, from GetCaller: the UI offers only the actions its grants allow. It
 * decides nothing — the server checks every call — and while GetCaller has not answered (or
 * failed) nothing is offered.
 */

/** The caller (undefined until GetCaller answers). Read once per token: the query is cached. */
export function useCaller(): Caller | undefined {
  return useQuery(rpc.getCaller, {}, { staleTime: Number.POSITIVE_INFINITY }).data?.caller;
}

/** The server's model globs (`*` any run of characters, `?` one) as one anchored expression. */
function globs(patterns: readonly string[]): RegExp {
  const one = (glob: string) =>
    [...glob].map((c) => (c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&"))).join("");
  return new RegExp(`^(?:${patterns.map(one).join("|")})$`, "u");
}

/** Whether a grant gives the permission on the model with this display name (on every model when it is omitted). */
export function may(caller: Caller | undefined, permission: string, model?: string): boolean {
  if (!caller) return false;
  return caller.grants.some(
    (g) => g.permissions.includes(permission) && (g.modelGlobs.length === 0 || (model !== undefined && globs(g.modelGlobs).test(model))),
  );
}

/** Whether the caller may move or remove this alias of the model ("" for a new alias: any alias it may set). */
export function mayMoveAlias(caller: Caller | undefined, model: string, alias: string): boolean {
  if (caller && alias !== "" && caller.protectedAliases.includes(alias)) return may(caller, "aliases.set_protected", model);
  return may(caller, "aliases.set", model) || may(caller, "aliases.set_protected", model);
}

/** The roles as the header shows them: `editor (fraud-*), viewer`. */
export function describeRoles(caller: Caller): string {
  return caller.grants.map((g) => (g.modelGlobs.length > 0 ? `${g.role} (${g.modelGlobs.join(", ")})` : g.role)).join(", ") || "no role";
}
