import { readFileSync } from "node:fs";
import { parseAllowedNetworks } from "../../registry/webhooks/destination.js";
import { createSecretBox, parseWebhookKey } from "../../registry/webhooks/secret-box.js";
import type { WebhookSettings } from "../../registry/webhooks/webhook-rules.js";
import { checkWebhookSelection } from "../../watch/watch-query.js";
import type { DeliveryTuning } from "../../webhooks/delivery-worker.js";

/** How the server is configured for webhooks (flags --webhook-*; docs/webhooks.md). */
export interface WebhookOptions {
  /** A file with the 32-byte key that seals signing secrets (raw, base64 or hex); unset: creating a webhook is refused. */
  keyFile?: string;
  /** Allow http:// destinations (default false: https only). */
  allowHttp?: boolean;
  /** Networks (CIDR) allowed although private, loopback or link-local, such as ["127.0.0.1/32"]. */
  allowedNetworks?: readonly string[];
  /** Deliver webhooks from this process (--webhook-delivery; default off), with its tuning. */
  delivery?: boolean | DeliveryTuning;
}

/** The settings of the webhook use cases; a bad key file or network fails the start. */
export function webhookSettings(options: WebhookOptions = {}): WebhookSettings {
  let box: WebhookSettings["box"] = null;
  if (options.keyFile !== undefined) {
    try {
      box = createSecretBox(parseWebhookKey(readFileSync(options.keyFile)));
    } catch (error) {
      throw new Error(`--webhook-key-file ${options.keyFile}: ${(error as Error).message}`);
    }
  }
  let allowed: WebhookSettings["destinations"]["allowed"];
  try {
    allowed = parseAllowedNetworks(options.allowedNetworks ?? []);
  } catch (error) {
    throw new Error(`--webhook-allowed-networks: ${(error as Error).message}`);
  }
  return { box, destinations: { allowHttp: options.allowHttp ?? false, allowed }, checkSelection: checkWebhookSelection };
}
