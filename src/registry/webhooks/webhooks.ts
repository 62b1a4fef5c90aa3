import { applyMask, type MaskSpec } from "../core/field-mask.js";
import { InvalidArgumentError } from "../core/errors.js";
import type { Update } from "../core/inputs.js";
import { modelName, parseModelName } from "../core/names.js";
import { webhookName } from "../core/resource-names.js";
import type { CallContext, ListRequest, Page, Webhook } from "../core/types.js";
import type { StoreWriter } from "../ports/store.js";
import { checkEtag, freshStamps, recordDeleted, recordUpdate } from "../shared/changes.js";
import { prepareList, toPage } from "../shared/list-query.js";
import { type Registry, unitOf } from "../shared/registry.js";
import { newSigningSecret, secretContext } from "./secret-box.js";
import { checkWebhook, findWebhook, redactWebhook, requireBox, WEBHOOK_LIST, type WebhookInput, type WebhookSettings } from "./webhook-rules.js";

/**
 * Webhooks: create, read, list, update, delete and rotate the secret. Every change is an event
 * (the webhook redacted: no URL credentials or query, never the secret); the secret is made
 * here, sealed before it is stored, and returned only by the call that made it.
 */

/** A webhook with the secret only its create or rotate call returns. */
export interface WebhookWithSecret {
  webhook: Webhook;
  secret: string;
}

/** The fields an update mask names, over the webhook with its model as a resource name. */
type Editable = Omit<Webhook, "modelId"> & { registeredModel: string };

const WEBHOOK_MASK: MaskSpec<Editable> = {
  fields: {
    display_name: "displayName",
    description: "description",
    url: "url",
    event_types: "eventTypes",
    resource_types: "resourceTypes",
    registered_model: "registeredModel",
    filter: "filter",
    enabled: "enabled",
    failure_policy: "failurePolicy",
  },
  maps: [],
};

const DEFAULT_GRACE_SECONDS = 86_400;
const MAX_GRACE_SECONDS = 7 * 86_400;

const modelIdOf = (name: string) => (name === "" ? null : parseModelName(name, "webhook.registered_model"));

async function saveSecret(w: StoreWriter, settings: WebhookSettings, webhookId: number, version: number, previousExpire: Date | null) {
  const secret = newSigningSecret();
  const sealed = requireBox(settings).seal(secret, secretContext(webhookId, version));
  await w.webhooks.addSecret({ webhookId, version, sealed, expireTime: null }, previousExpire);
  return secret;
}

export async function createWebhook(
  registry: Registry,
  settings: WebhookSettings,
  input: WebhookInput,
  ctx: CallContext,
): Promise<WebhookWithSecret> {
  requireBox(settings);
  const modelId = modelIdOf(input.registeredModel);
  return unitOf(registry).write(async (w) => {
    const draft: Webhook = {
      displayName: input.displayName,
      description: input.description,
      url: input.url,
      eventTypes: input.eventTypes,
      resourceTypes: input.resourceTypes,
      modelId,
      filter: input.filter,
      enabled: input.enabled ?? true,
      failurePolicy: input.failurePolicy ?? "PAUSE",
      owner: ctx.actor,
      disabledReason: "",
      previousSecretExpireTime: null,
      ...freshStamps(registry, w),
    };
    const webhook = await checkWebhook(w, draft, settings);
    await w.webhooks.insertWebhook(webhook);
    // Delivery starts after the event that created the webhook.
    await w.webhooks.saveCursor({ webhookId: webhook.id, revision: webhook.revision, attempts: 0, failures: 0, nextAttemptTime: new Date(0) });
    const secret = await saveSecret(w, settings, webhook.id, 1, null);
    unitOf(registry).record(w, "CREATED", { type: "Webhook", value: redactWebhook(webhook) }, null, ctx);
    return { webhook, secret };
  });
}

export async function getWebhook(registry: Registry, ref: { id: number } | { displayName: string }): Promise<Webhook> {
  return unitOf(registry).read((r) => findWebhook(r, ref));
}

export async function listWebhooks(registry: Registry, request: ListRequest): Promise<Page<Webhook>> {
  const prepared = prepareList(request, WEBHOOK_LIST, unitOf(registry).store.tokenKey(), "webhooks");
  return unitOf(registry).read(async (r) => toPage(prepared, await r.webhooks.listWebhooks(prepared.query), await r.revision(), (w) => w));
}

/** Saves a changed webhook and records its UPDATED event (both redacted). */
export async function saveWebhook(registry: Registry, w: StoreWriter, current: Webhook, next: Webhook, ctx: CallContext): Promise<Webhook> {
  const updated: Webhook = { ...next, updateTime: unitOf(registry).now(), revision: w.allocateRevision() };
  await w.webhooks.updateWebhook(updated);
  recordUpdate(registry, w, { type: "Webhook", value: redactWebhook(updated) }, { type: "Webhook", value: redactWebhook(current) }, ctx);
  return updated;
}

export async function updateWebhook(
  registry: Registry,
  settings: WebhookSettings,
  id: number,
  update: Update<WebhookInput>,
  ctx: CallContext,
): Promise<Webhook> {
  return unitOf(registry).write(async (w) => {
    const current = await findWebhook(w, { id });
    checkEtag(webhookName(id), current, update.etag);
    const editable: Editable = { ...current, registeredModel: current.modelId === null ? "" : modelName(current.modelId) };
    const { registeredModel, ...rest } = applyMask(editable, update.input, update.mask, WEBHOOK_MASK);
    let next: Webhook = { ...rest, modelId: modelIdOf(registeredModel) };
    // Enabling a webhook the server disabled clears the reason.
    if (next.enabled && !current.enabled) next = { ...next, disabledReason: "" };
    return saveWebhook(registry, w, current, await checkWebhook(w, next, settings), ctx);
  });
}

export async function deleteWebhook(registry: Registry, id: number, options: { etag: string }, ctx: CallContext): Promise<Webhook> {
  return unitOf(registry).write(async (w) => {
    const webhook = await findWebhook(w, { id });
    checkEtag(webhookName(id), webhook, options.etag);
    await w.webhooks.deleteWebhookRows(id);
    recordDeleted(registry, w, { type: "Webhook", value: redactWebhook(webhook) }, unitOf(registry).now(), ctx);
    return webhook;
  });
}

/** A new secret; the previous one keeps signing for the grace period (default a day, at most a week). */
export async function rotateWebhookSecret(
  registry: Registry,
  settings: WebhookSettings,
  id: number,
  options: { etag: string; graceSeconds: number },
  ctx: CallContext,
): Promise<WebhookWithSecret> {
  if (options.graceSeconds < 0 || options.graceSeconds > MAX_GRACE_SECONDS) {
    throw InvalidArgumentError.field("grace_period_seconds", `must be from 0 (a day) to ${MAX_GRACE_SECONDS}`);
  }
  requireBox(settings);
  return unitOf(registry).write(async (w) => {
    const current = await findWebhook(w, { id });
    checkEtag(webhookName(id), current, options.etag);
    const expire = new Date(unitOf(registry).now().getTime() + (options.graceSeconds || DEFAULT_GRACE_SECONDS) * 1000);
    const versions = await w.webhooks.signingSecrets(id, new Date(0));
    const secret = await saveSecret(w, settings, id, Math.max(0, ...versions.map((s) => s.version)) + 1, expire);
    const webhook = await saveWebhook(registry, w, current, { ...current, previousSecretExpireTime: expire }, ctx);
    return { webhook, secret };
  });
}
