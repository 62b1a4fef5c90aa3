import { readFileSync } from "node:fs";
import type { Logger } from "../logger.js";
import { UnauthenticatedError } from "../registry/core/errors.js";
import { anonymousIdentity, type Grant, type Identity, parseGrant } from "./identity.js";
import { JwksFile, JwksUrl, type KeySource } from "./jwks.js";
import { DEFAULT_CLOCK_SKEW_SEC, looksLikeJwt, type JwtClaims, verifyJwt } from "./jwt.js";
import { TokenFile } from "./token-file.js";

/** What the transport knows about the other end of the connection. */
export interface Peer {
  /** Remote IP address (limits count streams per address when there is no identity). */
  address?: string;
  /** The subject CN of a TLS client certificate that verified against the configured client CA. */
  certificateSubject?: string;
}

/** Request headers as any transport has them: Fetch Headers, or Node's header object. */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** How callers prove who they are. Authentication is on when any credential source is set. */
export interface AuthConfig {
  /** Static bearer tokens (sha256 at rest) and certificate subjects with their grants; reloaded on change. */
  tokensFile?: string;
  /** JWT verification keys (a JWK Set); reloaded on change. */
  jwksFile?: string;
  /** The issuer's JWKS URL (OIDC jwks_uri), fetched and cached. */
  jwksUrl?: string;
  /** A file holding the shared secret for HS256 tokens. */
  jwtSecretFile?: string;
  /** Required `iss` of JWTs. */
  jwtIssuer?: string;
  /** Required `aud` of JWTs. */
  jwtAudience?: string;
  /** Claim holding the caller's grants (default "roles"; a dotted path such as realm_access.roles works). */
  jwtRolesClaim?: string;
  /** Claim naming the caller, recorded as the actor (default "sub"). */
  jwtSubjectClaim?: string;
  /** Accept TLS client certificates as identities (the server verifies them against its client CA). */
  clientCertificates?: boolean;
  /** Least time between checks of the tokens and JWKS files for changes (default 1000 ms). */
  reloadIntervalMs?: number;
  /**
   * Grants (`viewer`, `viewer:fraud-*`) of calls that carry no credential at all, for in-cluster
   * readers that cannot send one (KServe's storage initializer). Unset: such calls are refused.
   * A wrong credential is refused either way. Needs a credential source: with authentication off
   * every caller is an admin already.
   */
  anonymousGrants?: readonly string[];
}

/** The transport-independent entry point: who is this call from? */
export interface Authenticator {
  /** False when no credential source is configured: every caller is an anonymous admin. */
  readonly enabled: boolean;
  /**
   * The caller of a request: from `authorization: Bearer <token>` (a JWT, or a static token of
   * the tokens file), else from the TLS client certificate. Throws UnauthenticatedError (reason
   * CREDENTIALS_REQUIRED, INVALID_TOKEN or TOKEN_EXPIRED) when authentication is on and the
   * request carries no valid credential. With authentication off, the anonymous identity (all
   * permissions; the actor then still comes from the x-actor header, see call-context.ts).
   */
  authenticate(headers: HeaderSource, peer: Peer): Promise<Identity>;
  /**
   * Calls listener whenever the credentials it accepts may have changed (the tokens file was
   * reloaded), until the returned function is called: open streams then authenticate again.
   */
  onChange(listener: () => void): () => void;
  /**
   * The identity of a subject without its credential, for work done on its behalf later (webhook
   * deliveries): its grants in the tokens file (all its entries), or undefined when the file does
   * not name it (JWT subjects cannot be resolved: their grants live in their tokens).
   */
  identityOf(subject: string): Identity | undefined;
}

/** Whether any credential source is configured. */
export function authConfigured(config: AuthConfig): boolean {
  return Boolean(config.tokensFile || config.jwksFile || config.jwksUrl || config.jwtSecretFile || config.clientCertificates);
}

const ANONYMOUS = anonymousIdentity();
const SUBJECT = /^[^\u0000-\u001f\u007f]{1,255}$/u;

/**
 * Builds the authenticator. Loads the tokens, JWKS and secret files now: a missing or broken
 * file fails the start rather than the first request.
 */
export function createAuthenticator(config: AuthConfig, logger: Logger): Authenticator {
  if (!authConfigured(config)) {
    if (config.anonymousGrants?.length)
      throw new Error("--anonymous-role needs authentication (a credential source such as --tokens-file): without it every caller is an admin");
    return { enabled: false, authenticate: async () => ANONYMOUS, onChange: () => () => {}, identityOf: () => ANONYMOUS };
  }
  const tokens = config.tokensFile ? new TokenFile(config.tokensFile, { logger, reloadIntervalMs: config.reloadIntervalMs }) : undefined;
  const keys: KeySource | undefined = config.jwksFile
    ? new JwksFile(config.jwksFile, logger, config.reloadIntervalMs)
    : config.jwksUrl
      ? new JwksUrl(config.jwksUrl, logger)
      : undefined;
  const hmacSecret = config.jwtSecretFile ? readSecret(config.jwtSecretFile) : undefined;
  const jwtEnabled = keys !== undefined || hmacSecret !== undefined;
  const anonymous: Identity | undefined =
    config.anonymousGrants && config.anonymousGrants.length > 0
      ? { subject: "anonymous", method: "unauthenticated", grants: config.anonymousGrants.map(parseGrant) }
      : undefined;
  const rolesClaim = config.jwtRolesClaim || "roles";
  const subjectClaim = config.jwtSubjectClaim || "sub";

  const fromJwt = async (token: string): Promise<Identity> => {
    const claims = await verifyJwt(token, { keys, hmacSecret, issuer: config.jwtIssuer, audience: config.jwtAudience });
    const subject = claimAt(claims, subjectClaim);
    if (typeof subject !== "string" || !SUBJECT.test(subject)) {
      throw new UnauthenticatedError(`invalid bearer token: claim ${subjectClaim} must name the caller`, "INVALID_TOKEN");
    }
    const expiresAt = (Number(claims.exp) + DEFAULT_CLOCK_SKEW_SEC) * 1000;
    return { subject, method: "jwt", grants: grantsOf(claimAt(claims, rolesClaim)), expiresAt };
  };

  return {
    enabled: true,
    onChange: (listener) => tokens?.onReload(listener) ?? (() => {}),
    identityOf(subject) {
      const entries = tokens?.lookupSubject(subject) ?? [];
      return entries.length > 0 ? { subject, method: "token", grants: entries.flatMap((e) => e.grants) } : undefined;
    },
    async authenticate(headers, peer) {
      const authorization = header(headers, "authorization");
      if (authorization !== undefined) {
        const m = /^bearer +(\S+) *$/i.exec(authorization);
        if (!m) throw new UnauthenticatedError('unsupported authorization: send "authorization: Bearer <token>"', "INVALID_TOKEN");
        const token = m[1]!;
        const entry = tokens?.lookupSecret(token);
        if (entry) return { subject: entry.subject, method: "token", grants: entry.grants };
        if (jwtEnabled && looksLikeJwt(token)) return fromJwt(token);
        throw new UnauthenticatedError("invalid bearer token", "INVALID_TOKEN");
      }
      if (config.clientCertificates && peer.certificateSubject !== undefined) {
        const subject = peer.certificateSubject;
        if (!SUBJECT.test(subject))
          throw new UnauthenticatedError("client certificate subject is not usable as a name", "INVALID_CLIENT_CERTIFICATE");
        // Verified by TLS against the client CA: known, even when the tokens file gives it no roles.
        return { subject, method: "certificate", grants: tokens?.lookupCertificate(subject)?.grants ?? [] };
      }
      if (anonymous) return anonymous;
      throw new UnauthenticatedError('authentication required: send "authorization: Bearer <token>"', "CREDENTIALS_REQUIRED");
    },
  };
}

/** A header's value from either header shape (the first value when repeated). */
export function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name];
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}

/** A claim by name, or by dotted path into nested objects (realm_access.roles). */
function claimAt(claims: JwtClaims, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const key of path.split(".")) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Grants from a roles claim: a list of strings, or one space- or comma-separated string.
 * Entries that are not our roles are ignored: identity providers put many unrelated roles in a token.
 */
function grantsOf(value: unknown): Grant[] {
  const names = Array.isArray(value) ? value : typeof value === "string" ? value.split(/[\s,]+/) : [];
  const grants: Grant[] = [];
  for (const name of names) {
    if (typeof name !== "string" || name === "") continue;
    try {
      grants.push(parseGrant(name));
    } catch {
      // not one of ours
    }
  }
  return grants;
}

function readSecret(path: string): Buffer {
  const secret = readFileSync(path).subarray(0);
  const trimmed = Buffer.from(secret.toString("utf8").trim(), "utf8");
  if (trimmed.length < 32) throw new Error(`JWT secret file ${path}: the secret must be at least 32 bytes`);
  return trimmed;
}
