import { create } from "@bufbuild/protobuf";
import { type Webhook as PbWebhook, WebhookFailurePolicy as PbPolicy, WebhookSchema } from "../../../gen/modelregistry/v1/webhooks_pb.js";
import { modelName } from "../../registry/core/names.js";
import { webhookName } from "../../registry/core/resource-names.js";
import type { Webhook, WebhookFailurePolicy } from "../../registry/core/types.js";
import type { WebhookInput } from "../../registry/webhooks/webhook-rules.js";
import { enumIn, ts, withStored } from "../shared/convert.js";

/** Proto <-> domain for webhooks. */

export function webhookIn(p: PbWebhook | undefined): WebhookInput {
  const w = p ?? create(WebhookSchema);
  return {
    displayName: w.displayName,
    description: w.description,
    url: w.url,
    eventTypes: [...w.eventTypes],
    resourceTypes: [...w.resourceTypes],
    registeredModel: w.registeredModel,
    filter: w.filter,
    enabled: w.enabled,
    failurePolicy: enumIn<WebhookFailurePolicy>("webhook.failure_policy", w.failurePolicy, PbPolicy, ["PAUSE", "SKIP"]),
  };
}

/** Names of WebhookFailurePolicy without their prefix, as protobuf-es gives them. */
const POLICY_OUT: Record<WebhookFailurePolicy, PbPolicy> = { PAUSE: PbPolicy.PAUSE, SKIP: PbPolicy.SKIP };

export function webhookOut(w: Webhook): PbWebhook {
  const message = create(WebhookSchema, {
    displayName: w.displayName,
    description: w.description,
    url: w.url,
    eventTypes: w.eventTypes,
    resourceTypes: w.resourceTypes,
    registeredModel: w.modelId === null ? "" : modelName(w.modelId),
    filter: w.filter,
    enabled: w.enabled,
    failurePolicy: POLICY_OUT[w.failurePolicy],
    owner: w.owner,
    disabledReason: w.disabledReason,
    previousSecretExpireTime: ts(w.previousSecretExpireTime),
  });
  return withStored(message, webhookName(w.id), w);
}
