import type { HandlerContext } from "@connectrpc/connect";
import { InvalidArgumentError } from "../../registry/core/errors.js";
import { IDENTITY_KEY } from "./auth-interceptor.js";
import type { CallContext, ListRequest } from "../../registry/core/types.js";

/** Header naming the caller when authentication is off (ignored when it is on: the identity is the actor). */
export const ACTOR_HEADER = "x-actor";

/** Longest accepted `reason` of a mutating request. */
export const MAX_REASON_LENGTH = 1024;

/**
 * The caller (the authenticated identity; the x-actor header only when authentication is off),
 * the request's reason (recorded in the audit log) and the cancellation signal of an RPC, as
 * the registry needs them.
 */
export function callContext(ctx: HandlerContext, reason = ""): CallContext {
  const identity = ctx.values.get(IDENTITY_KEY);
  const actor = identity && identity.method !== "anonymous" ? identity.subject : ctx.requestHeader.get(ACTOR_HEADER)?.trim() || "anonymous";
  if (actor.length > 255 || /[\u0000-\u001f\u007f]/.test(actor)) {
    throw InvalidArgumentError.field(ACTOR_HEADER, "must be at most 255 printable characters");
  }
  if (reason.length > MAX_REASON_LENGTH || /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(reason)) {
    throw InvalidArgumentError.field("reason", `must be at most ${MAX_REASON_LENGTH} characters without control characters`);
  }
  return { actor, reason, signal: ctx.signal };
}

/** The list fields every List request has; filters get typo hints (people type them; see FilterOptions.hints). */
export function listRequest(req: { pageSize: number; pageToken: string; filter: string; orderBy: string; showTotalSize: boolean }): ListRequest {
  return {
    pageSize: req.pageSize,
    pageToken: req.pageToken,
    filter: req.filter,
    orderBy: req.orderBy,
    showTotalSize: req.showTotalSize,
    filterHints: true,
  };
}

/** Exactly one of the named request fields must be set; returns its name. */
export function exactlyOne(fields: Record<string, string>): string {
  const set = Object.keys(fields).filter((k) => fields[k] !== "");
  if (set.length !== 1) {
    const names = Object.keys(fields).join(", ");
    throw new InvalidArgumentError(
      `set exactly one of ${names}`,
      Object.keys(fields).map((field) => ({ field, description: `set exactly one of ${names}` })),
    );
  }
  return set[0]!;
}
