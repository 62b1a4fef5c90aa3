import { parseGrant } from "../auth/identity.js";
import { databaseEngine, UnsupportedDatabaseError } from "../database-url.js";
import type { LogLevel } from "../logger.js";
import { normaliseOrigin } from "../origin.js";
import { ConfigError } from "./config.js";

/**
 * Parsers of flag values. Each takes the raw text and the name it came from (`--port`, or the
 * environment variable) for the error message.
 */
export type Parse<T> = (raw: string, source: string) => T;

export const text: Parse<string> = (raw) => raw;

export function integer(min: number, max: number): Parse<number> {
  return (raw, source) => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) throw new ConfigError(`${source} must be an integer from ${min} to ${max}`);
    return n;
  };
}

export const port = integer(0, 65535);

/** A database URL of an engine the server has (refused here, before anything starts). */
export const databaseUrl: Parse<string> = (raw, source) => {
  try {
    databaseEngine(raw);
  } catch (error) {
    if (error instanceof UnsupportedDatabaseError) throw new ConfigError(`${source}: ${error.message}`);
    throw error;
  }
  return raw;
};

/** on/off (also true/false, 1/0). */
export const onOff: Parse<boolean> = (raw, source) => {
  if (["on", "true", "1"].includes(raw)) return true;
  if (["off", "false", "0"].includes(raw)) return false;
  throw new ConfigError(`${source} must be on or off, not "${raw}"`);
};

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

export const logLevel: Parse<LogLevel> = (raw) => {
  const found = LEVELS.find((l) => l === raw);
  if (found === undefined) throw new ConfigError(`unknown log level "${raw}"`);
  return found;
};

/** A comma-separated list, entries trimmed, empty ones dropped. */
export const list = (raw: string): string[] =>
  raw
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");

/** Grants as in the tokens file (viewer, viewer:fraud-*), comma-separated. */
export const grants: Parse<string[]> = (raw, source) => {
  const entries = list(raw);
  for (const grant of entries) {
    try {
      parseGrant(grant);
    } catch (error) {
      throw new ConfigError(`${source}: ${(error as Error).message}`);
    }
  }
  return entries;
};

export const aliasNames: Parse<string[]> = (raw, source) => {
  const aliases = list(raw);
  for (const alias of aliases) {
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(alias)) throw new ConfigError(`${source}: "${alias}" is not an alias name`);
  }
  return aliases;
};

/**
 * The CORS allow-list, each entry normalised to the form browsers send in Origin (lower-case
 * scheme and host, no default port). Whether "*" may be served (only with authentication) is
 * checked by startApp, with the bind policy.
 */
export const origins: Parse<string[]> = (raw, source) => {
  const entries = list(raw);
  if (entries.includes("*")) {
    if (entries.length > 1) throw new ConfigError(`${source}: "*" allows every origin and stands alone`);
    return ["*"];
  }
  const normalised = entries.map((entry) => {
    const origin = normaliseOrigin(entry);
    if (origin === undefined) {
      throw new ConfigError(
        `${source}: "${entry}" is not an origin: write scheme://host[:port] (http or https) with no path, ` +
          "not even a trailing /, e.g. https://ui.acme.com or http://localhost:5173",
      );
    }
    return origin;
  });
  return [...new Set(normalised)];
};
