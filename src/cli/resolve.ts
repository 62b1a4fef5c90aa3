import type { RegisteredModel, ModelVersion } from "../../gen/modelregistry/v1/resources_pb.js";
import type { RegistryClient } from "../client/create-registry-client.js";
import { intFlag, type ParsedArgs } from "./cli-context.js";

/** `registeredModels/{id}` addresses a model by id; anything else is a display name. */
const MODEL_NAME = /^registeredModels\/[1-9][0-9]*$/;

/** A model by display name ("fraud-detector") or resource name ("registeredModels/3"). */
export async function getModel(client: RegistryClient, model: string): Promise<RegisteredModel> {
  const req = MODEL_NAME.test(model) ? { name: model } : { displayName: model };
  return (await client.getRegisteredModel(req)).registeredModel!;
}

/** A version of a model by version string ("v2"), "latest" or "@alias". */
export async function getVersion(client: RegistryClient, model: string, version: string): Promise<ModelVersion> {
  const displayName = MODEL_NAME.test(model) ? (await getModel(client, model)).displayName : model;
  return (await client.getModelVersion({ registeredModelDisplayName: displayName, version })).modelVersion!;
}

/** Reads every page of a list call, up to `limit` items (0: no limit). */
export async function collectPages<T>(
  fetchPage: (pageToken: string, pageSize: number) => Promise<{ items: T[]; nextPageToken: string }>,
  limit = 0,
): Promise<T[]> {
  const items: T[] = [];
  let token = "";
  do {
    const pageSize = limit > 0 ? Math.min(1000, limit - items.length) : 200;
    const page = await fetchPage(token, pageSize);
    items.push(...page.items);
    token = page.nextPageToken;
  } while (token !== "" && (limit === 0 || items.length < limit));
  return limit > 0 ? items.slice(0, limit) : items;
}

/** The flags of a list command. */
export const LIST_OPTIONS = {
  filter: { type: "string" },
  "order-by": { type: "string" },
  limit: { type: "string" },
} as const;

/** A list command's --filter, --order-by and --limit (0: no limit). */
export interface ListFlags {
  filter: string;
  orderBy: string;
  limit: number;
}

export function listFlags(args: ParsedArgs): ListFlags {
  return {
    filter: (args.values.filter as string) ?? "",
    orderBy: (args.values["order-by"] as string) ?? "",
    limit: intFlag(args.values.limit, "limit") ?? 0,
  };
}

/** One page of a list call, asked with a filter and an order. */
export type ListPage<T> = (req: {
  pageToken: string;
  pageSize: number;
  filter: string;
  orderBy: string;
}) => Promise<{ items: T[]; nextPageToken: string }>;

/** Reads every page of a list call with the list flags, up to their limit. */
export function collectListed<T>(flags: ListFlags, fetchPage: ListPage<T>): Promise<T[]> {
  return collectPages((pageToken, pageSize) => fetchPage({ pageToken, pageSize, filter: flags.filter, orderBy: flags.orderBy }), flags.limit);
}
