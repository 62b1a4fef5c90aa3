import { eventJson } from "./api/events/event-convert.js";
import type { Logger } from "./logger.js";
import type { RegistryEvent } from "./registry/core/types.js";
import type { Registry } from "./registry/shared/registry.js";
import type { WebhookSettings } from "./registry/webhooks/webhook-rules.js";
import type { DeliveryTuning, OwnerAccess } from "./webhooks/delivery-worker.js";

/**
 * Webhook delivery, started unless --webhook-delivery is off (issue 20); replicas share the
 * webhooks through leases. The payload's data is the Event message in its JSON form, as Watch's JSON clients get it.
 */
export function webhookDelivery(options: {
  registry: Registry;
  settings: WebhookSettings;
  logger: Logger;
  /** What a webhook's owner may read now (CallGuard.ownerAccess). */
  ownerAccess: OwnerAccess;
  tuning: DeliveryTuning | boolean | undefined;
}): { start(): Promise<void>; stop(): Promise<void> } {
  const { tuning } = options;
  let stop = async () => {};
  return {
    async start() {
      if (!tuning) return;
      // Loaded only when on.
      const { DeliveryWorker } = await import("./webhooks/delivery-worker.js");
      const worker = new DeliveryWorker({
        registry: options.registry,
        settings: options.settings,
        logger: options.logger,
        encode: encodedOnce((event) => JSON.stringify(eventJson(event))),
        ownerAccess: options.ownerAccess,
        ...(tuning === true ? {} : tuning),
      });
      worker.start();
      options.logger.info("webhook delivery on", { leaseOwner: worker.owner });
      stop = () => worker.stop();
    },
    stop: () => stop(),
  };
}

/** Events whose encoding is kept: the recent ones, which every webhook delivers at about the same time. */
const ENCODED_EVENTS = 1024;

/** Encodes each event once for every webhook that delivers it (by revision: an event never changes). */
function encodedOnce(encode: (event: RegistryEvent) => string): (event: RegistryEvent) => string {
  const encoded = new Map<number, { time: number; text: string }>();
  return (event) => {
    const hit = encoded.get(event.revision);
    if (hit?.time === event.time.getTime()) return hit.text;
    const text = encode(event);
    encoded.set(event.revision, { time: event.time.getTime(), text });
    if (encoded.size > ENCODED_EVENTS) encoded.delete(encoded.keys().next().value!);
    return text;
  };
}
