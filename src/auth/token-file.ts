import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import type { Logger } from "../logger.js";
import { type Grant, parseGrant } from "./identity.js";

/** One line of the tokens file: a subject, how it proves itself, and its grants. */
export interface TokenEntry {
  subject: string;
  /** sha256 of the bearer secret (hex), or "certificate": a TLS client certificate with CN = subject. */
  credential: { kind: "sha256"; hash: string } | { kind: "certificate" };
  grants: Grant[];
}

/** The hash stored at rest for a bearer secret: `sha256:<64 hex digits>`. */
export function hashToken(secret: string): string {
  return `sha256:${createHash("sha256").update(secret, "utf8").digest("hex")}`;
}

const SUBJECT = /^[^\s\u0000-\u001f\u007f]{1,255}$/u;
const HASH = /^sha256:([0-9a-f]{64})$/;

/**
 * Parses a tokens file. Two forms:
 *
 * Lines (`#` starts a comment): `SUBJECT CREDENTIAL GRANTS`, where CREDENTIAL is `sha256:<hex>`
 * (the hash of a bearer secret, see `model-registry token hash`) or `cert` (a TLS client
 * certificate whose CN is SUBJECT), and GRANTS is a comma-separated list of `role` or
 * `role:glob[|glob]`:
 *
 *     ci-pipeline        sha256:2bb80d5…  editor:fraud-*,viewer
 *     deploy-controller  cert             viewer
 *
 * JSON: `{"tokens": [{"subject": "ci-pipeline", "sha256": "2bb80d5…", "roles": ["editor:fraud-*"]},
 * {"subject": "deploy-controller", "certificate": true, "roles": ["viewer"]}]}`.
 *
 * Throws Error naming the line or entry at fault; a file with a mistake is refused whole.
 */
export function parseTokensFile(text: string): TokenEntry[] {
  return text.trimStart().startsWith("{") || text.trimStart().startsWith("[") ? parseJson(text) : parseLines(text);
}

function parseLines(text: string): TokenEntry[] {
  const entries: TokenEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    const parts = line.split(/\s+/);
    const at = `line ${i + 1}`;
    if (parts.length !== 3) throw new Error(`${at}: expected SUBJECT CREDENTIAL GRANTS`);
    const [subject, credential, grants] = parts as [string, string, string];
    entries.push(entry(at, subject, credential === "cert" ? true : credential, grants.split(",")));
  });
  return entries;
}

function parseJson(text: string): TokenEntry[] {
  const doc: unknown = JSON.parse(text);
  const list = Array.isArray(doc) ? doc : (doc as { tokens?: unknown })?.tokens;
  if (!Array.isArray(list)) throw new Error('expected {"tokens": [...]}');
  return list.map((item: unknown, i) => {
    const at = `tokens[${i}]`;
    if (typeof item !== "object" || item === null) throw new Error(`${at}: expected an object`);
    const e = item as { subject?: unknown; sha256?: unknown; certificate?: unknown; roles?: unknown };
    if (typeof e.subject !== "string") throw new Error(`${at}: subject must be a string`);
    if (!Array.isArray(e.roles) || !e.roles.every((r) => typeof r === "string")) throw new Error(`${at}: roles must be a list of strings`);
    if ((e.certificate === true) === (typeof e.sha256 === "string")) throw new Error(`${at}: set exactly one of sha256 and certificate: true`);
    const credential = e.certificate === true ? true : `sha256:${String(e.sha256).replace(/^sha256:/, "")}`;
    return entry(at, e.subject, credential, e.roles as string[]);
  });
}

function entry(at: string, subject: string, credential: string | true, grants: string[]): TokenEntry {
  if (!SUBJECT.test(subject)) throw new Error(`${at}: subject must be 1-255 printable characters without spaces`);
  let parsed: TokenEntry["credential"];
  if (credential === true) parsed = { kind: "certificate" };
  else {
    const m = HASH.exec(credential.toLowerCase());
    if (!m) throw new Error(`${at}: credential must be sha256:<64 hex digits> (model-registry token hash) or cert`);
    parsed = { kind: "sha256", hash: m[1]! };
  }
  try {
    return { subject, credential: parsed, grants: grants.filter((g) => g.trim() !== "").map(parseGrant) };
  } catch (error) {
    throw new Error(`${at}: ${(error as Error).message}`);
  }
}

export interface TokenFileOptions {
  logger: Logger;
  /** Least time between two checks of the file for changes (default 1000 ms; 0: on every use). */
  reloadIntervalMs?: number;
}

/**
 * The tokens file, re-read when it changes (its size, mtime or inode differ when checked, at
 * most once per reloadIntervalMs, on use, and on a timer while someone listens for changes: open
 * streams). A changed file that does not parse is logged and ignored: the previous tokens stay in
 * force, so a typo cannot lock everyone out (or in).
 */
export class TokenFile {
  private bySecretHash = new Map<string, TokenEntry>();
  private byCertificate = new Map<string, TokenEntry>();
  private bySubject = new Map<string, TokenEntry[]>();
  private stamp = "";
  private checkedAt = 0;
  private readonly reloadIntervalMs: number;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly options: TokenFileOptions,
  ) {
    this.reloadIntervalMs = options.reloadIntervalMs ?? 1000;
    this.load(true);
  }

  /** The entry whose secret hashes to the same sha256, if any. */
  lookupSecret(secret: string): TokenEntry | undefined {
    this.maybeReload();
    return this.bySecretHash.get(hashToken(secret).slice("sha256:".length));
  }

  /** The `cert` entry of this subject (a client certificate's CN), if any. */
  lookupCertificate(subject: string): TokenEntry | undefined {
    this.maybeReload();
    return this.byCertificate.get(subject);
  }

  /** Every entry of this subject (a token's or a certificate's), after a reload check. */
  lookupSubject(subject: string): readonly TokenEntry[] {
    this.maybeReload();
    return this.bySubject.get(subject) ?? [];
  }

  /**
   * Calls listener after each reload that read a changed file, until the returned function is
   * called. While anyone listens, the file is also checked every reloadIntervalMs (at least
   * every 100 ms apart), so a removed token is noticed without a unary call to trigger the check.
   */
  onReload(listener: () => void): () => void {
    this.listeners.add(listener);
    this.timer ??= setInterval(() => this.maybeReload(), Math.max(100, this.reloadIntervalMs)).unref();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      clearInterval(this.timer);
      this.timer = undefined;
    };
  }

  private maybeReload(): void {
    const now = Date.now();
    if (now - this.checkedAt < this.reloadIntervalMs) return;
    this.checkedAt = now;
    try {
      this.load(false);
    } catch (error) {
      this.options.logger.error("tokens file not reloaded; the previous tokens stay in force", { path: this.path, err: error });
    }
  }

  /** Reads the file if it changed; the first load throws, so a bad file stops the server from starting. */
  private load(initial: boolean): void {
    const st = statSync(this.path, { bigint: true });
    const stamp = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    if (stamp === this.stamp) return;
    let entries: TokenEntry[];
    try {
      entries = parseTokensFile(readFileSync(this.path, "utf8"));
    } catch (error) {
      if (!initial) this.stamp = stamp; // log a broken file once, not on every request
      throw new Error(`tokens file ${this.path}: ${(error as Error).message}`);
    }
    this.bySecretHash = new Map(entries.flatMap((e) => (e.credential.kind === "sha256" ? [[e.credential.hash, e] as const] : [])));
    this.byCertificate = new Map(entries.flatMap((e) => (e.credential.kind === "certificate" ? [[e.subject, e] as const] : [])));
    this.bySubject = new Map();
    for (const e of entries) this.bySubject.set(e.subject, [...(this.bySubject.get(e.subject) ?? []), e]);
    this.stamp = stamp;
    if (initial) return;
    this.options.logger.info("tokens file reloaded", { path: this.path, entries: entries.length });
    for (const listener of [...this.listeners]) listener();
  }
}
