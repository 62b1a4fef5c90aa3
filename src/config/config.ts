import type { AuthConfig } from "../auth/authenticator.js";
import type { LogLevel } from "../logger.js";

/** The server's settings, one per flag of the table in flags.ts (that table documents each). */
export interface Settings {
  host: string;
  port: number;
  grpcPort: number | undefined;
  metrics: boolean;
  metricsPort: number | undefined;
  database: string;
  poolSize: number;
  logLevel: LogLevel;
  eventRetentionDays: number;
  eventRetentionCount: number;
  eventRetentionMaxCount: number;
  tokensFile: string | undefined;
  jwksFile: string | undefined;
  jwksUrl: string | undefined;
  jwtSecretFile: string | undefined;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  jwtRolesClaim: string | undefined;
  jwtSubjectClaim: string | undefined;
  anonymousRole: string[] | undefined;
  protectedAliases: string[];
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  tlsClientCa: string | undefined;
  insecure: boolean;
  maxRequestBytes: number;
  maxStreamsPerClient: number;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  idleTimeoutMs: number;
  watchQueueLength: number;
  corsAllowedOrigins: string[];
  webhookKeyFile: string | undefined;
  webhookAllowHttp: boolean;
  webhookMaxLagEvents: number;
  webhookDeliveryRetentionDays: number;
  webhookDelivery: boolean;
  webhookAllowedNetworks: string[];
}

/** Settings that become the authentication config or the TLS files rather than top-level fields. */
type Grouped =
  | "tokensFile"
  | "jwksFile"
  | "jwksUrl"
  | "jwtSecretFile"
  | "jwtIssuer"
  | "jwtAudience"
  | "jwtRolesClaim"
  | "jwtSubjectClaim"
  | "anonymousRole"
  | "tlsCert"
  | "tlsKey"
  | "tlsClientCa";

/** Everything the server is configured with, parsed once from flags and environment. */
export interface Config extends Omit<Settings, Grouped> {
  command: "serve" | "migrate" | "help";
  /** Credential sources; authentication is on when any is set (see src/auth). */
  auth: AuthConfig;
  /** PEM file paths; TLS is on when cert and key are set. */
  tls: { cert: string; key: string; clientCa?: string } | undefined;
}

export const DEFAULT_DATABASE = "sqlite:./data/registry.db";

export class ConfigError extends Error {
  override name = "ConfigError";
}
