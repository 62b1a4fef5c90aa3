import { signWebhook } from "../client/webhook-signature.js";
import type { RegistryEvent } from "../registry/core/types.js";

/**
 * A delivery's body and headers: a CloudEvents 1.0 event in structured JSON mode whose `data` is
 * the event as Watch and the audit log carry it (the Event message in its JSON form), signed by
 * the Standard Webhooks scheme.
 */

/** The webhook-id header and CloudEvents id: the same for every attempt at one event of one webhook. */
export const messageIdOf = (webhookId: number, revision: number) => `msg_${webhookId}_${revision}`;

/** The webhook-id header and CloudEvents id of a TestWebhook ping: its own for every ping. */
export const pingMessageIdOf = (webhookId: number, nonce: string) => `msg_${webhookId}_ping_${nonce}`;

/** A CloudEvent in structured JSON mode: the attributes in their order, then `data`, JSON text spliced in as the last member. */
function cloudEvent(attributes: Record<string, string>, data: string): string {
  const envelope = JSON.stringify({ specversion: "1.0", ...attributes });
  // The same text as JSON.stringify of the envelope with `data` as its last member.
  return `${envelope.slice(0, -1)},"data":${data}}`;
}

/** The body; `data` is the event's JSON text, encoded once and shared by every webhook that sends it. */
export function cloudEventBody(webhookId: number, event: RegistryEvent, data: string, source: string): string {
  const attributes = {
    id: messageIdOf(webhookId, event.revision),
    source,
    type: `io.modelregistry.event.${event.type.toLowerCase()}`,
    subject: event.resourceName,
    time: event.time.toISOString(),
    datacontenttype: "application/json",
    revision: String(event.revision),
  };
  return cloudEvent(attributes, data);
}

/** The body of a ping (type io.modelregistry.ping) whose `data` names the webhook. */
export function pingBody(messageId: string, webhook: { name: string; displayName: string }, source: string, time: Date): string {
  const attributes = {
    id: messageId,
    source,
    type: "io.modelregistry.ping",
    subject: webhook.name,
    time: time.toISOString(),
    datacontenttype: "application/json",
  };
  return cloudEvent(attributes, JSON.stringify({ webhook: webhook.name, displayName: webhook.displayName }));
}

/** The headers of one attempt: signed with every secret that signs now (space-separated). */
export function deliveryHeaders(secrets: readonly string[], messageId: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    "content-type": "application/cloudevents+json; charset=utf-8",
    "webhook-id": messageId,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": secrets.map((s) => signWebhook(s, messageId, timestampSeconds, body)).join(" "),
  };
}
