import type { RegisteredModel } from "../../gen/modelregistry/v1/resources_pb.js";
import type { ModelVersion } from "../../gen/modelregistry/v1/resources_pb.js";
import type { RegistryClient } from "../client/create-registry-client.js";

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
