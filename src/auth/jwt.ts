import { createHmac, timingSafeEqual, verify } from "node:crypto";
import { UnauthenticatedError } from "../registry/core/errors.js";
import type { KeySource, VerificationKey } from "./jwks.js";

/** How to verify a bearer JWT (RFC 7519) and which claims must hold. */
export interface JwtVerifierOptions {
  /** Public keys for RS*, PS*, ES* and EdDSA tokens. */
  keys?: KeySource;
  /** The shared secret for HS256; without it HS256 tokens are refused. */
  hmacSecret?: Buffer;
  /** Required `iss`, when set. */
  issuer?: string;
  /** Required `aud` (or one of the token's audiences), when set. */
  audience?: string;
  /** Tolerance for exp and nbf, in seconds (default DEFAULT_CLOCK_SKEW_SEC). */
  clockSkewSec?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** Tolerance for exp and nbf: a token is accepted until this long after its exp. */
export const DEFAULT_CLOCK_SKEW_SEC = 60;

/** A token's claims once its signature and times have been checked. */
export type JwtClaims = Record<string, unknown>;

/** Longest accepted token: real ones are a few KB; anything bigger is refused before parsing. */
export const MAX_JWT_LENGTH = 16 * 1024;

interface Algorithm {
  hash: "sha256" | "sha384" | "sha512" | null;
  kty: string;
  crv?: string;
  options?: { padding?: number; saltLength?: number; dsaEncoding?: "ieee-p1363" };
}

/** The accepted algorithms. `none` and anything else are refused; HS256 needs a configured secret. */
const ALGORITHMS: Readonly<Record<string, Algorithm>> = {
  RS256: { hash: "sha256", kty: "RSA" },
  RS384: { hash: "sha384", kty: "RSA" },
  RS512: { hash: "sha512", kty: "RSA" },
  PS256: { hash: "sha256", kty: "RSA", options: { padding: 6, saltLength: 32 } }, // RSA_PKCS1_PSS_PADDING
  ES256: { hash: "sha256", kty: "EC", crv: "prime256v1", options: { dsaEncoding: "ieee-p1363" } },
  ES384: { hash: "sha384", kty: "EC", crv: "secp384r1", options: { dsaEncoding: "ieee-p1363" } },
  EdDSA: { hash: null, kty: "OKP" },
};

const invalid = (why: string) => new UnauthenticatedError(`invalid bearer token: ${why}`, "INVALID_TOKEN");
const B64URL = /^[A-Za-z0-9_-]*$/;

/** Whether a bearer credential has the shape of a JWS compact token (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  const parts = token.split(".");
  return parts.length === 3 && parts.every((p) => p.length > 0 && B64URL.test(p));
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    throw invalid(`${what} is not base64url JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * Verifies a compact JWS and its registered claims: the algorithm is one of ALGORITHMS and fits
 * the key (an RSA key never verifies an HMAC token: no algorithm confusion), the signature, exp
 * (required) and nbf with clock skew, iss and aud when configured. Throws UnauthenticatedError
 * with reason INVALID_TOKEN or TOKEN_EXPIRED; returns the claims.
 */
export async function verifyJwt(token: string, options: JwtVerifierOptions): Promise<JwtClaims> {
  if (token.length > MAX_JWT_LENGTH) throw invalid(`longer than ${MAX_JWT_LENGTH} characters`);
  if (!looksLikeJwt(token)) throw invalid("not a JWT");
  const [h, p, s] = token.split(".") as [string, string, string];
  const header = decodeJson(h, "header");
  const alg = header.alg;
  if (typeof alg !== "string") throw invalid("no alg");
  if (header.crit !== undefined) throw invalid("unsupported critical header parameters");
  const signed = Buffer.from(`${h}.${p}`, "ascii");
  const signature = Buffer.from(s, "base64url");

  if (alg === "HS256") {
    if (!options.hmacSecret) throw invalid("HS256 tokens are not accepted by this server");
    const expected = createHmac("sha256", options.hmacSecret).update(signed).digest();
    if (expected.length !== signature.length || !timingSafeEqual(expected, signature)) throw invalid("bad signature");
  } else {
    const algorithm = ALGORITHMS[alg];
    if (!algorithm) throw invalid(`algorithm ${alg} is not accepted`);
    if (!options.keys) throw invalid(`${alg} tokens are not accepted by this server (no JWKS configured)`);
    const kid = typeof header.kid === "string" ? header.kid : undefined;
    const candidates = (await options.keys.keys(kid)).filter((k) => fits(k, alg, algorithm));
    if (candidates.length === 0) throw invalid(kid === undefined ? `no key for ${alg}` : `unknown key id ${JSON.stringify(kid).slice(0, 80)}`);
    const ok = candidates.some((k) => {
      try {
        return verify(algorithm.hash, signed, { key: k.key, ...algorithm.options }, signature);
      } catch {
        return false;
      }
    });
    if (!ok) throw invalid("bad signature");
  }

  const claims = decodeJson(p, "payload");
  checkTimes(claims, options);
  if (options.issuer !== undefined && claims.iss !== options.issuer) throw invalid("wrong issuer");
  if (options.audience !== undefined) {
    const aud = claims.aud;
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.includes(options.audience)) throw invalid("wrong audience");
  }
  return claims;
}

function fits(key: VerificationKey, alg: string, algorithm: Algorithm): boolean {
  if (key.alg !== undefined && key.alg !== alg) return false;
  if (key.kty !== algorithm.kty) return false;
  if (algorithm.crv !== undefined && key.key.asymmetricKeyDetails?.namedCurve !== algorithm.crv) return false;
  if (alg === "EdDSA" && key.key.asymmetricKeyType !== "ed25519") return false;
  return true;
}

function checkTimes(claims: JwtClaims, options: JwtVerifierOptions): void {
  const now = (options.now ?? Date.now)() / 1000;
  const skew = options.clockSkewSec ?? DEFAULT_CLOCK_SKEW_SEC;
  const { exp, nbf } = claims;
  if (typeof exp !== "number" || !Number.isFinite(exp)) throw invalid("exp is required");
  if (now > exp + skew) throw new UnauthenticatedError("bearer token expired", "TOKEN_EXPIRED");
  if (nbf !== undefined) {
    if (typeof nbf !== "number" || !Number.isFinite(nbf)) throw invalid("nbf is not a number");
    if (now + skew < nbf) throw invalid("not valid yet (nbf)");
  }
}
