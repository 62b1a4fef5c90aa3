import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-signature` is
 * `v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`, keyed with the bytes of
 * the secret (`whsec_` and their base64), one entry per secret, separated by spaces.
 */

type Headers = { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>;

const PREFIX = "whsec_";

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, "base64");
}

/** The `v1,…` signature of one message under one secret. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac("sha256", keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

function headerOf(headers: Headers, name: string): string | undefined {
  if (typeof headers.get === "function") return headers.get(name) ?? undefined;
  const value = (headers as Readonly<Record<string, string | readonly string[] | undefined>>)[name];
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}

export interface VerifyOptions {
  /** How far `webhook-timestamp` may be from now (default 300 seconds: replays are refused). */
  toleranceSeconds?: number;
  /** Now, in epoch milliseconds (for tests). */
  now?: number;
}

/**
 * Whether a delivery is genuine: `webhook-id`, `webhook-timestamp` (within the tolerance) and one
 * `v1` entry of `webhook-signature` matching the body under `secret`. Pass the body exactly as
 * received (the raw text, not re-serialised JSON) and header names in lower case.
 *
 *     if (!verifyWebhook(secret, req.headers, rawBody)) return res.writeHead(401).end();
 */
export function verifyWebhook(secret: string, headers: Headers, body: string, options: VerifyOptions = {}): boolean {
  const id = headerOf(headers, "webhook-id");
  const timestamp = headerOf(headers, "webhook-timestamp");
  const signatures = headerOf(headers, "webhook-signature");
  if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) return false;
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, id, Number(timestamp), body));
  return signatures.split(" ").some((entry) => {
    const given = Buffer.from(entry);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
