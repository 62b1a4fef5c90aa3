import type { ServiceImpl } from "@connectrpc/connect";
import type { WebhookService } from "../../../gen/modelregistry/v1/webhook_service_pb.js";
import { InvalidArgumentError } from "../../registry/core/errors.js";
import { parseWebhookName } from "../../registry/core/resource-names.js";
import type { Registry } from "../../registry/shared/registry.js";
import type { WebhookSettings } from "../../registry/webhooks/webhook-rules.js";
import { listWebhookDeliveries, redeliverFrom, webhookAndEvent } from "../../registry/webhooks/deliveries.js";
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, rotateWebhookSecret, updateWebhook } from "../../registry/webhooks/webhooks.js";
import type { OneOffAttempts } from "../../webhooks/one-off.js";
import { callContext, listRequest } from "../shared/call-context.js";
import { byNameOrDisplayName, pageFields, required, updateParts } from "../shared/handler-kit.js";
import { deliveryOut } from "./delivery-convert.js";
import { webhookIn, webhookOut } from "./webhook-convert.js";

/** WebhookService: parse, call the webhook use cases, convert. */
export function createWebhookHandler(registry: Registry, settings: WebhookSettings, oneOff: OneOffAttempts): ServiceImpl<typeof WebhookService> {
  return {
    async createWebhook(req, ctx) {
      const input = webhookIn(required(req.webhook, "webhook"));
      const { webhook, secret } = await createWebhook(registry, settings, input, callContext(ctx, req.reason));
      return { webhook: webhookOut(webhook), secret };
    },

    async getWebhook(req) {
      return { webhook: webhookOut(await getWebhook(registry, byNameOrDisplayName(req, parseWebhookName))) };
    },

    async listWebhooks(req) {
      const page = await listWebhooks(registry, listRequest(req));
      return { webhooks: page.items.map(webhookOut), ...pageFields(page) };
    },

    async updateWebhook(req, ctx) {
      const parts = updateParts(req.webhook, "webhook", parseWebhookName, webhookIn, req, ctx);
      return { webhook: webhookOut(await updateWebhook(registry, settings, ...parts)) };
    },

    async deleteWebhook(req, ctx) {
      const webhook = await deleteWebhook(registry, parseWebhookName(req.name), { etag: req.etag }, callContext(ctx, req.reason));
      return { webhook: webhookOut(webhook) };
    },

    async rotateWebhookSecret(req, ctx) {
      const options = { etag: req.etag, graceSeconds: req.gracePeriodSeconds };
      const { webhook, secret } = await rotateWebhookSecret(registry, settings, parseWebhookName(req.name), options, callContext(ctx, req.reason));
      return { webhook: webhookOut(webhook), secret };
    },

    async testWebhook(req) {
      const webhook = await getWebhook(registry, { id: parseWebhookName(req.name) });
      return { delivery: deliveryOut(await oneOff.ping(webhook)) };
    },

    async listWebhookDeliveries(req) {
      const page = await listWebhookDeliveries(registry, parseWebhookName(req.parent, "parent"), listRequest(req));
      return { deliveries: page.items.map(deliveryOut), ...pageFields(page) };
    },

    async redeliverWebhook(req) {
      const id = parseWebhookName(req.name);
      if ((req.revision === 0n) === (req.fromRevision === 0n)) {
        throw InvalidArgumentError.field("revision", "set exactly one of revision (one event) and from_revision (everything from it)");
      }
      if (req.fromRevision !== 0n) return { webhook: webhookOut(await redeliverFrom(registry, id, revisionIn(req.fromRevision, "from_revision"))) };
      const { webhook, event } = await webhookAndEvent(registry, id, revisionIn(req.revision, "revision"));
      return { webhook: webhookOut(webhook), delivery: deliveryOut(await oneOff.redeliver(webhook, event)) };
    },
  };
}

/** A revision as a safe integer (INVALID_ARGUMENT beyond). */
function revisionIn(value: bigint, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < 0n) throw InvalidArgumentError.field(field, "must be a revision of the event log");
  return Number(value);
}
