import { eventJson } from "./api/events/event-convert.js";
import type { Logger } from "./logger.js";
import type { Registry } from "./registry/shared/registry.js";
import type { WebhookSettings } from "./registry/webhooks/webhook-rules.js";
import type { DeliveryTuning, OwnerAccess } from "./webhooks/delivery-worker.js";

/**
 * Webhook delivery, started only when --webhook-delivery is on (issue 20); replicas share the
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
        encode: eventJson,
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
