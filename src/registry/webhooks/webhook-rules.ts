import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../core/errors.js";
import { modelName } from "../core/names.js";
import { webhookName } from "../core/resource-names.js";
import type { Webhook, WebhookFailurePolicy } from "../core/types.js";
import { LIMITS, Violations } from "../core/validate.js";
import type { StoreReader } from "../ports/store.js";
import { displayNamedList, str, type ListSpec } from "../shared/list-specs.js";
import { checkDestination, type DestinationPolicy, redactUrl } from "./destination.js";
import type { SecretBox } from "./secret-box.js";

/** What the webhook use cases need besides the registry: the server's key and destination rules. */
export interface WebhookSettings {
  /** Seals signing secrets; null until --webhook-key-file is configured (creating a webhook is refused then). */
  box: SecretBox | null;
  destinations: DestinationPolicy;
  /**
   * Checks event types, resource types and the filter in the Watch language (src/watch owns it),
   * throwing InvalidArgumentError naming the webhook.* field.
   */
  checkSelection: (selection: { eventTypes: string[]; resourceTypes: string[]; filter: string }) => void;
}

/** The writable fields of a webhook, as a create or update carries them. */
export interface WebhookInput {
  displayName: string;
  description: string;
  url: string;
  eventTypes: string[];
  resourceTypes: string[];
  /** `registeredModels/{id}`, or "" for every model. */
  registeredModel: string;
  filter: string;
  /** Unset: true on create, unchanged on update. */
  enabled: boolean | undefined;
  /** Unset: PAUSE on create, unchanged on update. */
  failurePolicy: WebhookFailurePolicy | undefined;
}

export const WEBHOOK_LIST: ListSpec = displayNamedList({ url: str("url"), owner: str("owner") }, false);

/** The most event and resource types one webhook names. */
const MAX_TYPES = 32;

/** Checks the fields and the destination of a webhook about to be saved; resolves its model. */
export async function checkWebhook(r: StoreReader, w: Webhook, settings: WebhookSettings): Promise<Webhook> {
  const v = new Violations();
  v.name("webhook.display_name", w.displayName);
  v.text("webhook.description", w.description, LIMITS.description);
  v.text("webhook.filter", w.filter, LIMITS.description);
  if (w.url.length > LIMITS.uri) v.add("webhook.url", `is longer than ${LIMITS.uri} characters`);
  if (w.eventTypes.length > MAX_TYPES) v.add("webhook.event_types", `has more than ${MAX_TYPES} entries`);
  if (w.resourceTypes.length > MAX_TYPES) v.add("webhook.resource_types", `has more than ${MAX_TYPES} entries`);
  v.throwIfAny();
  if (w.url === "") throw InvalidArgumentError.field("webhook.url", "is required");
  const url = checkDestination(w.url, settings.destinations);
  settings.checkSelection({ eventTypes: w.eventTypes, resourceTypes: w.resourceTypes, filter: w.filter });
  if (w.modelId !== null && !(await r.getModel(w.modelId))) throw new NotFoundError(modelName(w.modelId));
  return { ...w, url };
}

/** The webhook or NOT_FOUND. */
export async function findWebhook(r: StoreReader, ref: { id: number } | { displayName: string }): Promise<Webhook> {
  const w = "id" in ref ? await r.webhooks.getWebhook(ref.id) : await r.webhooks.getWebhookByDisplayName(ref.displayName);
  if (!w) throw new NotFoundError("id" in ref ? webhookName(ref.id) : `webhook "${ref.displayName}"`);
  return w;
}

/** The box, or FAILED_PRECONDITION: secrets are never stored in clear. */
export function requireBox(settings: WebhookSettings): SecretBox {
  if (!settings.box) {
    throw new FailedPreconditionError(
      "webhooks need a key to encrypt their secrets: start the server with --webhook-key-file (32 bytes, e.g. openssl rand -base64 32)",
      "WEBHOOK_KEY_NOT_CONFIGURED",
    );
  }
  return settings.box;
}

/** A webhook as events carry it: the URL without credentials and query (the secret is never part of it). */
export function redactWebhook(w: Webhook): Webhook {
  return { ...w, url: redactUrl(w.url) };
}
