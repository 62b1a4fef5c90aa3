import { create } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import {
  type WebhookDelivery as PbDelivery,
  WebhookDeliveryKind as PbKind,
  WebhookDeliveryOutcome as PbOutcome,
  WebhookDeliverySchema,
} from "../../../gen/modelregistry/v1/webhooks_pb.js";
import { webhookName } from "../../registry/core/resource-names.js";
import type { WebhookDeliveryAttempt, WebhookDeliveryKind } from "../../registry/ports/webhook-store.js";
import { ts } from "../shared/convert.js";

const OUTCOME_OUT: Record<WebhookDeliveryAttempt["outcome"], PbOutcome> = {
  ACKNOWLEDGED: PbOutcome.ACKNOWLEDGED,
  RETRYING: PbOutcome.RETRYING,
  FAILED: PbOutcome.FAILED,
};

const KIND_OUT: Record<WebhookDeliveryKind, PbKind> = { EVENT: PbKind.EVENT, PING: PbKind.PING, REDELIVERY: PbKind.REDELIVERY };

/** A delivery attempt as the API shows it: `webhooks/{webhook}/deliveries/{delivery}`. */
export function deliveryOut(a: WebhookDeliveryAttempt): PbDelivery {
  return create(WebhookDeliverySchema, {
    name: `${webhookName(a.webhookId)}/deliveries/${a.id}`,
    revision: BigInt(a.revision),
    messageId: a.messageId,
    attempt: a.attempt,
    outcome: OUTCOME_OUT[a.outcome],
    kind: KIND_OUT[a.kind],
    statusCode: a.statusCode,
    latency: create(DurationSchema, { seconds: BigInt(Math.floor(a.latencyMs / 1000)), nanos: (a.latencyMs % 1000) * 1_000_000 }),
    error: a.error,
    nextRetryTime: ts(a.nextRetryTime),
    attemptTime: ts(a.attemptTime),
  });
}
