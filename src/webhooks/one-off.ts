import { randomUUID } from "node:crypto";
import { FailedPreconditionError } from "../registry/core/errors.js";
import { webhookName } from "../registry/core/resource-names.js";
import type { RegistryEvent, Webhook } from "../registry/core/types.js";
import type { Registry } from "../registry/shared/registry.js";
import type { WebhookDeliveryAttempt, WebhookDeliveryKind } from "../registry/ports/webhook-store.js";
import { recordAttempt } from "../registry/webhooks/deliveries.js";
import { signingSecretCache } from "../registry/webhooks/delivery-state.js";
import type { WebhookSettings } from "../registry/webhooks/webhook-rules.js";
import type { OwnerAccess } from "./delivery-worker.js";
import { attemptRecord, signAndPost } from "./delivery-attempt.js";
import { DEFAULT_SEND_LIMITS, type SendLimits } from "./http-sender.js";
import { cloudEventBody, messageIdOf, pingBody, pingMessageIdOf } from "./payload.js";
import { webhookSelection } from "./selection.js";

export interface OneOffOptions {
  registry: Registry;
  settings: WebhookSettings;
  /** The event as Watch carries it, as JSON text (the CloudEvent's data). */
  encode: (event: RegistryEvent) => string;
  ownerAccess: OwnerAccess;
  limits?: Partial<Omit<SendLimits, "policy">>;
  source?: string;
}

/** Attempts made now, outside the change log's order: TestWebhook's ping and RedeliverWebhook of one event. */
export interface OneOffAttempts {
  /** Sends a signed ping (CloudEvent type io.modelregistry.ping) and records the attempt. */
  ping(webhook: Webhook): Promise<WebhookDeliveryAttempt>;
  /**
   * Sends one event again, with the webhook-id of its first delivery, and records the attempt.
   * FAILED_PRECONDITION when the webhook does not select the event or its owner may not read it.
   */
  redeliver(webhook: Webhook, event: RegistryEvent): Promise<WebhookDeliveryAttempt>;
}

export function oneOffAttempts(options: OneOffOptions): OneOffAttempts {
  const { registry, settings } = options;
  const source = options.source ?? "model-registry";
  const limits: SendLimits = { ...DEFAULT_SEND_LIMITS, ...options.limits, policy: settings.destinations };

  const secrets = signingSecretCache(registry, settings);
  const send = async (webhook: Webhook, kind: WebhookDeliveryKind, revision: number, messageId: string, body: string) => {
    const sent = await signAndPost(limits, webhook.url, await secrets(webhook), messageId, body);
    const attempt = attemptRecord(
      { webhookId: webhook.id, revision, messageId, attempt: 1, kind },
      sent,
      sent.result.ok ? "ACKNOWLEDGED" : "FAILED",
      null,
    );
    await recordAttempt(registry, attempt);
    return attempt;
  };

  return {
    ping(webhook) {
      const messageId = pingMessageIdOf(webhook.id, randomUUID().replaceAll("-", ""));
      const body = pingBody(messageId, { name: webhookName(webhook.id), displayName: webhook.displayName }, source, new Date());
      return send(webhook, "PING", 0, messageId, body);
    },

    async redeliver(webhook, event) {
      if (!webhookSelection(webhook).matches(event)) {
        throw new FailedPreconditionError(
          `${webhookName(webhook.id)} does not select event ${event.revision} (${event.type} of ${event.resourceName}): check its event_types, resource_types, registered_model and filter`,
          "WEBHOOK_EVENT_NOT_SELECTED",
        );
      }
      const mayRead = await options.ownerAccess(webhook.owner);
      if (!mayRead || !(await mayRead(event))) {
        throw new FailedPreconditionError(
          `the owner of ${webhookName(webhook.id)} (${webhook.owner}) may not read event ${event.revision}: a webhook delivers only what its owner may read`,
          "WEBHOOK_OWNER_MAY_NOT_READ",
        );
      }
      const body = cloudEventBody(webhook.id, event, options.encode(event), source);
      return send(webhook, "REDELIVERY", event.revision, messageIdOf(webhook.id, event.revision), body);
    },
  };
}
