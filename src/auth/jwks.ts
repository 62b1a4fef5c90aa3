import { createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import type { Logger } from "../logger.js";

/** One verification key of a JWKS. */
export interface VerificationKey {
  kid?: string;
  /** The algorithm the key is restricted to, when the JWK says. */
  alg?: string;
  /** "RSA" or "EC" (with curve in the KeyObject), "OKP" for Ed25519. */
  kty: string;
  key: KeyObject;
}

/** Where JWT verification keys come from: a JWKS file or an issuer's JWKS URL. */
export interface KeySource {
  /** Keys that may have signed a token with this kid (every key when kid is undefined). */
  keys(kid: string | undefined): Promise<VerificationKey[]>;
}

/**
 * Parses a JWK Set (`{"keys": [...]}`, RFC 7517). Keys marked `use: "enc"` are left out; a key
 * that node:crypto cannot import is an error, so a broken file is noticed at once.
 */
export function parseJwks(text: string): VerificationKey[] {
  const doc = JSON.parse(text) as { keys?: unknown };
  if (!doc || !Array.isArray(doc.keys)) throw new Error('expected a JWK Set: {"keys": [...]}');
  const keys: VerificationKey[] = [];
  doc.keys.forEach((jwk: unknown, i: number) => {
    if (typeof jwk !== "object" || jwk === null) throw new Error(`keys[${i}]: expected an object`);
    const j = jwk as { kid?: unknown; alg?: unknown; kty?: unknown; use?: unknown; d?: unknown };
    if (j.use === "enc") return;
    if (typeof j.kty !== "string" || !["RSA", "EC", "OKP"].includes(j.kty)) throw new Error(`keys[${i}]: kty must be RSA, EC or OKP`);
    // Only public parts: a JWKS that carries a private key is still accepted, but the key is never kept.
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk as Record<string, unknown>;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: pub as never, format: "jwk" });
    } catch (error) {
      throw new Error(`keys[${i}]: ${(error as Error).message}`);
    }
    keys.push({
      kty: j.kty,
      key,
      ...(typeof j.kid === "string" ? { kid: j.kid } : {}),
      ...(typeof j.alg === "string" ? { alg: j.alg } : {}),
    });
  });
  return keys;
}

const byKid = (keys: VerificationKey[], kid: string | undefined) => (kid === undefined ? keys : keys.filter((k) => k.kid === kid));

/**
 * A JWKS file (`--jwks-file`), re-read when it changes (checked on use, at most once per
 * reloadIntervalMs) so that keys can be rotated without a restart. A changed file that does not
 * parse is logged and the previous keys stay.
 */
export class JwksFile implements KeySource {
  private current: VerificationKey[] = [];
  private stamp = "";
  private checkedAt = 0;

  constructor(
    readonly path: string,
    private readonly logger: Logger,
    private readonly reloadIntervalMs = 1000,
  ) {
    this.load(true);
  }

  async keys(kid: string | undefined): Promise<VerificationKey[]> {
    const now = Date.now();
    if (now - this.checkedAt >= this.reloadIntervalMs) {
      this.checkedAt = now;
      try {
        this.load(false);
      } catch (error) {
        this.logger.error("JWKS file not reloaded; the previous keys stay in force", { path: this.path, err: error });
      }
    }
    return byKid(this.current, kid);
  }

  private load(initial: boolean): void {
    const st = statSync(this.path, { bigint: true });
    const stamp = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    if (stamp === this.stamp) return;
    try {
      this.current = parseJwks(readFileSync(this.path, "utf8"));
    } catch (error) {
      if (!initial) this.stamp = stamp;
      throw new Error(`JWKS file ${this.path}: ${(error as Error).message}`);
    }
    this.stamp = stamp;
    if (!initial) this.logger.info("JWKS file reloaded", { path: this.path, keys: this.current.length });
  }
}

/**
 * An issuer's published keys (`--jwks-url`, the `jwks_uri` of an OIDC provider), fetched at the
 * first use, refreshed every refreshMs, and re-fetched (at most once per minRefetchMs) when a
 * token names a kid the cached set lacks: that is how providers roll keys. A failed fetch keeps
 * the keys already known.
 */
export class JwksUrl implements KeySource {
  private current: VerificationKey[] = [];
  private fetchedAt = 0;
  private inFlight: Promise<void> | null = null;

  constructor(
    readonly url: string,
    private readonly logger: Logger,
    private readonly refreshMs = 10 * 60_000,
    private readonly minRefetchMs = 30_000,
  ) {}

  async keys(kid: string | undefined): Promise<VerificationKey[]> {
    const age = Date.now() - this.fetchedAt;
    if (this.fetchedAt === 0 || age >= this.refreshMs) await this.refresh();
    let found = byKid(this.current, kid);
    if (found.length === 0 && kid !== undefined && age >= this.minRefetchMs) {
      await this.refresh();
      found = byKid(this.current, kid);
    }
    return found;
  }

  private refresh(): Promise<void> {
    this.inFlight ??= (async () => {
      try {
        const res = await fetch(this.url, { signal: AbortSignal.timeout(5000), headers: { accept: "application/json" } });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        this.current = parseJwks(await res.text());
      } catch (error) {
        this.logger.warn("JWKS fetch failed; keeping the keys already known", { url: this.url, err: error });
      } finally {
        this.fetchedAt = Date.now();
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }
}
