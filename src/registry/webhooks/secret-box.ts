import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Webhook signing secrets at rest: AES-256-GCM under the server's webhook key (a 32-byte key
 * from --webhook-key-file, such as a Kubernetes Secret), a fresh 12-byte nonce per secret, and
 * the webhook id and secret version as associated data, so a sealed secret copied onto another
 * row does not open. Sealed form: `v1.` and base64 of nonce, tag and ciphertext.
 */
export interface SecretBox {
  seal(plain: string, context: string): string;
  open(sealed: string, context: string): string;
}

const VERSION = "v1.";

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error(`the webhook key must be 32 bytes, not ${key.length}`);
  return {
    seal(plain, context) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, nonce);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return VERSION + Buffer.concat([nonce, cipher.getAuthTag(), body]).toString("base64");
    },
    open(sealed, context) {
      if (!sealed.startsWith(VERSION)) throw new Error("unknown sealed secret format");
      const bytes = Buffer.from(sealed.slice(VERSION.length), "base64");
      const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, 12));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8");
    },
  };
}

/**
 * The key in a key file: 32 raw bytes, or their base64 or hex on one line (`openssl rand -base64 32`).
 * Throws Error saying what was found otherwise.
 */
export function parseWebhookKey(content: Buffer): Buffer {
  const text = content.toString("utf8").trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
  const decoded = Buffer.from(text, "base64");
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text) && decoded.length === 32) return decoded;
  if (content.length === 32) return content;
  throw new Error("the webhook key file must hold 32 bytes: raw, or as base64 (openssl rand -base64 32) or hex");
}

/** A new signing secret, Standard Webhooks style: `whsec_` and base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** What seals a secret to its row: the webhook id and the secret's version. */
export const secretContext = (webhookId: number, version: number) => `webhooks/${webhookId}#${version}`;
