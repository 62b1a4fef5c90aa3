import { isIP } from "node:net";
import { ConfigError } from "./config.js";
import { env, type FlagTable } from "./flag-spec.js";
import { integer, list, onOff, type Parse, text } from "./values.js";

/** Addresses or CIDR networks (the prefix length is checked again when the server builds its allow-list). */
const networks: Parse<string[]> = (raw, source) => {
  const entries = list(raw);
  const bad = entries.find((entry) => {
    const [address = "", prefix] = entry.split("/");
    return isIP(address) === 0 || (prefix !== undefined && !/^\d{1,3}$/.test(prefix));
  });
  if (bad !== undefined) throw new ConfigError(`${source}: "${bad}" is not an address or CIDR such as 127.0.0.1/32 or ::1/128`);
  return entries;
};

/** The flags of webhooks (docs/webhooks.md): the key that seals their secrets, and where they may deliver. */
export const WEBHOOK_FLAGS = {
  webhookKeyFile: {
    name: "webhook-key-file",
    env: env("webhook-key-file"),
    value: "PATH",
    shown: "none: webhooks cannot be created",
    group: "security",
    help: "32-byte key (raw, base64 or hex; e.g. a Kubernetes Secret) that encrypts webhook signing secrets at rest (AES-256-GCM)",
    parse: text,
  },
  webhookDelivery: {
    name: "webhook-delivery",
    env: env("webhook-delivery"),
    value: "on|off",
    default: "on",
    group: "server",
    help: "deliver webhooks from this server (replicas share them by leases; a dead replica's move within ~11 s); off: this server only serves the API (docs/webhooks.md)",
    parse: onOff,
  },
  webhookMaxLagEvents: {
    name: "webhook-max-lag-events",
    env: env("webhook-max-lag-events"),
    value: "N",
    default: "1000000",
    group: "server",
    help: "event retention keeps the events a webhook has not received, unless it is more than N events behind the newest (it is then disabled: CURSOR_COMPACTED)",
    parse: integer(0, 1e12),
  },
  webhookDeliveryRetentionDays: {
    name: "webhook-delivery-retention-days",
    env: env("webhook-delivery-retention-days"),
    value: "N",
    default: "7",
    group: "server",
    help: "keep webhook delivery attempts (ListWebhookDeliveries) N days; 0 keeps them forever",
    parse: integer(0, 36500),
  },
  webhookAllowHttp: {
    name: "webhook-allow-http",
    env: env("webhook-allow-http"),
    value: "on|off",
    default: "off",
    group: "security",
    help: "allow http:// webhook destinations (default: https only)",
    parse: onOff,
  },
  webhookAllowedNetworks: {
    name: "webhook-allowed-networks",
    env: env("webhook-allowed-networks"),
    value: "CIDR,CIDR",
    default: "",
    shown: "none",
    group: "security",
    help: "networks webhooks may deliver to although private, loopback or link-local (e.g. 10.0.0.0/8,127.0.0.1/32)",
    parse: networks,
  },
} satisfies Partial<FlagTable>;
