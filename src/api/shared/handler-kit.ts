import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { ModelRegistryService } from "../../../gen/modelregistry/v1/model_registry_service_pb.js";
import { InvalidArgumentError } from "../../registry/core/errors.js";
import type { Update } from "../../registry/core/inputs.js";
import type { CallContext, Page } from "../../registry/core/types.js";
import { callContext, exactlyOne } from "./call-context.js";

/**
 * What every RPC handler repeats, in one place: a message field the request must set, an
 * update's mask and etag, a List response's page envelope, a resource addressed by name or by
 * display name. Handlers stay thin: parse with these, call a use case, convert.
 */

/**
 * Some methods of the service: what each resource's handler returns (`satisfies Methods`, so its
 * methods are typed by the service); spreading them all completes the ServiceImpl.
 */
export type Methods = Partial<ServiceImpl<typeof ModelRegistryService>>;

/** A message field the request must set (proto3 leaves an unset message undefined). */
export function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw InvalidArgumentError.field(field, "is required");
  return value;
}

/** An update_mask as the registry takes it: null when unset or empty (every field the message sets). */
export const maskOf = (mask: { paths: string[] } | undefined): string[] | null => (mask && mask.paths.length > 0 ? mask.paths : null);

/**
 * What an Update use case takes from an Update request, checked in this order: the resource
 * message (required), its name (`<field>.name`), the change (the message converted, the
 * request's mask, the message's etag), the caller and reason.
 */
export function updateParts<M extends { name: string; etag: string }, Target, I>(
  message: M | undefined,
  field: string,
  parseName: (name: string, field: string) => Target,
  convert: (message: M) => I,
  req: { updateMask?: { paths: string[] }; reason: string },
  ctx: HandlerContext,
): [Target, Update<I>, CallContext] {
  const resource = required(message, field);
  const target = parseName(resource.name, `${field}.name`);
  const update = { input: convert(resource), mask: maskOf(req.updateMask), etag: resource.etag };
  return [target, update, callContext(ctx, req.reason)];
}

/** The envelope fields of every List response (the items field is the caller's). */
export function pageFields(page: Pick<Page<unknown>, "nextPageToken" | "revision" | "totalSize">) {
  return { nextPageToken: page.nextPageToken, revision: BigInt(page.revision), totalSize: BigInt(page.totalSize ?? 0) };
}

/** A resource addressed by exactly one of its name (parsed to an id) and its display name. */
export function byNameOrDisplayName(
  req: { name: string; displayName: string },
  parseName: (name: string) => number,
): { id: number } | { displayName: string } {
  const which = exactlyOne({ name: req.name, display_name: req.displayName });
  return which === "name" ? { id: parseName(req.name) } : { displayName: req.displayName };
}

/** What a Delete use case takes from a Delete request: its name parsed, its etag and force, the caller and reason. */
export function deleteParts<Target>(
  req: { name: string; etag: string; force: boolean; reason: string },
  ctx: HandlerContext,
  parseName: (name: string) => Target,
): [Target, { etag: string; force: boolean }, CallContext] {
  return [parseName(req.name), { etag: req.etag, force: req.force }, callContext(ctx, req.reason)];
}
