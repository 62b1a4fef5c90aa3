import type { ServiceImpl } from "@connectrpc/connect";
import type { WebhookService } from "../../../gen/modelregistry/v1/webhook_service_pb.js";
import { parseWebhookName } from "../../registry/core/resource-names.js";
import type { Registry } from "../../registry/shared/registry.js";
import type { WebhookSettings } from "../../registry/webhooks/webhook-rules.js";
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, rotateWebhookSecret, updateWebhook } from "../../registry/webhooks/webhooks.js";
import { callContext, listRequest } from "../shared/call-context.js";
import { byNameOrDisplayName, pageFields, required, updateParts } from "../shared/handler-kit.js";
import { webhookIn, webhookOut } from "./webhook-convert.js";

/** WebhookService: parse, call the webhook use cases, convert. */
export function createWebhookHandler(registry: Registry, settings: WebhookSettings): ServiceImpl<typeof WebhookService> {
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
  };
}
