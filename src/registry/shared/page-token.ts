import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Cursor } from "../ports/store.js";
import { InvalidArgumentError } from "../core/errors.js";
import { LIMITS } from "../core/validate.js";

/**
 * Opaque keyset page tokens (AIP-158): the cursor plus a digest of the query it belongs to,
 * signed with a key kept in the database (so every replica accepts every replica's tokens).
 * A token from another query, a tampered one or garbage is INVALID_ARGUMENT.
 */

const MAC_BYTES = 16;
/**
 * The longest token decoded. A cursor holds the last item's sort values: up to 8 order_by keys,
 * each possibly a string custom property of LIMITS.propertyValue UTF-16 units, which JSON may
 * spell with up to 6 characters each (\u escapes), then base64 (4/3). A fixed 4096 made the
 * server refuse its own tokens when ordering by a long string property. The MAC is checked
 * before anything is parsed, so a long forged token costs one HMAC.
 */
const MAX_TOKEN_LENGTH = Math.ceil(((MAC_BYTES + 1024 + 8 * 6 * LIMITS.propertyValue) * 4) / 3);

/** A digest of everything a token is bound to: the list's parent, filter and order_by. */
export function queryDigest(...parts: string[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 16);
}

export function encodePageToken(key: Buffer, digest: string, cursor: Cursor): string {
  const payload = Buffer.from(JSON.stringify({ q: digest, c: cursor }));
  const mac = createHmac("sha256", key).update(payload).digest().subarray(0, MAC_BYTES);
  return Buffer.concat([mac, payload]).toString("base64url");
}

export function decodePageToken(key: Buffer, digest: string, token: string): Cursor {
  const invalid = (why: string) => InvalidArgumentError.field("page_token", why, "INVALID_PAGE_TOKEN");
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid("is not a page token of this server");
  const raw = Buffer.from(token, "base64url");
  const mac = raw.subarray(0, MAC_BYTES);
  const payload = raw.subarray(MAC_BYTES);
  const expected = createHmac("sha256", key).update(payload).digest().subarray(0, MAC_BYTES);
  if (mac.length !== MAC_BYTES || !timingSafeEqual(mac, expected)) throw invalid("is not a page token of this server");
  const parsed = JSON.parse(payload.toString("utf8")) as { q: string; c: Cursor };
  if (parsed.q !== digest) throw invalid("belongs to another query: parent, filter and order_by must not change between pages");
  return parsed.c;
}
