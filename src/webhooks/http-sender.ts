import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction, type Socket } from "node:net";
import { type DestinationPolicy, refusedAddress } from "../registry/webhooks/destination.js";

/**
 * The HTTP client of webhook deliveries: one POST, no redirects followed (a 3xx is a failure),
 * proxy environment variables ignored (agents of its own, never the global ones), connect and
 * total timeouts, a cap on the response read. The destination rules apply to the address the
 * socket actually connects to: the lookup drops refused addresses, and the connected socket's
 * remote address is checked again, so a DNS answer that changes (rebinding) cannot bypass them.
 * Connections are kept alive per destination (host and port) and reused; a reused connection's
 * address is checked again before each request is written on it.
 */
export interface SendLimits {
  policy: DestinationPolicy;
  connectTimeoutMs: number;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** Connect in 5 s, answer in 15 s, at most 64 KiB read: the limits of every attempt unless tuned. */
export const DEFAULT_SEND_LIMITS: Omit<SendLimits, "policy"> = { connectTimeoutMs: 5_000, timeoutMs: 15_000, maxResponseBytes: 64 * 1024 };

export interface SendResult {
  /** A 2xx answer, read within the limits. */
  ok: boolean;
  /** 0 when there was no answer. */
  statusCode: number;
  latencyMs: number;
  /** Why it failed; "" when ok. */
  error: string;
}

/**
 * Idle connections close after IDLE_MS, below the 5 s a Node receiver keeps them (its default
 * keepAliveTimeout), so that few requests meet a connection the receiver is closing.
 */
const IDLE_MS = 4_000;
const agents = { http: new http.Agent({ keepAlive: true, timeout: IDLE_MS }), https: new https.Agent({ keepAlive: true, timeout: IDLE_MS }) };

/** dns.lookup without the addresses the policy refuses (an error when none is left). */
function guardedLookup(policy: DestinationPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...(options as LookupOneOptions), all: true } as LookupAllOptions, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const allowed = addresses.filter((a) => refusedAddress(a.address, policy) === null);
      if (allowed.length === 0) {
        const why = refusedAddress(addresses[0]?.address ?? "", policy) ?? "no address";
        return callback(Object.assign(new Error(`${hostname}: ${why}`), { code: "WEBHOOK_DESTINATION_REFUSED" }), "", 0);
      }
      if ((options as { all?: boolean }).all) return (callback as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

export async function postWebhook(rawUrl: string, headers: Record<string, string>, body: string, limits: SendLimits): Promise<SendResult> {
  const started = performance.now();
  const done = (statusCode: number, error: string): SendResult => ({
    ok: error === "" && statusCode >= 200 && statusCode < 300,
    statusCode,
    latencyMs: Math.round(performance.now() - started),
    error,
  });
  const url = new URL(rawUrl);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (url.protocol !== "https:" && !(url.protocol === "http:" && limits.policy.allowHttp)) {
    return done(0, `refused: ${url.protocol} destinations are not allowed`);
  }
  if (isIP(host) !== 0) {
    const why = refusedAddress(host, limits.policy);
    if (why) return done(0, `refused: ${why}`);
  }
  const first = await send(url, headers, body, limits);
  // A kept-alive connection the receiver closed just as it was reused fails before any answer:
  // that is not the destination's answer, so the request goes once more, on a new connection.
  const outcome = first.stale ? await send(url, headers, body, limits) : first;
  return done(outcome.statusCode, outcome.error);
}

/** One request; `stale`: it failed on a reused connection before any answer came. */
function send(
  url: URL,
  headers: Record<string, string>,
  body: string,
  limits: SendLimits,
): Promise<{ statusCode: number; error: string; stale: boolean }> {
  const secure = url.protocol === "https:";
  return new Promise((resolve) => {
    let settled = false;
    let answered = false;
    const finish = (statusCode: number, error: string, stale = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(total);
      if (error !== "") request.destroy();
      resolve({ statusCode, error, stale });
    };
    const total = setTimeout(() => finish(0, `no complete answer within ${limits.timeoutMs} ms`), limits.timeoutMs);
    const request = (secure ? https : http).request(url, {
      method: "POST",
      agent: secure ? agents.https : agents.http,
      lookup: guardedLookup(limits.policy),
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)), "user-agent": "model-registry-webhooks" },
    });
    const check = (socket: Socket) => {
      const why = refusedAddress(socket.remoteAddress ?? "", limits.policy);
      if (why) finish(0, `refused: ${why}`);
    };
    request.on("socket", (socket: Socket) => {
      // A reused connection: checked now, before the request is written on it (under this call's policy).
      if (!socket.connecting) return check(socket);
      const connectTimer = setTimeout(() => finish(0, `no connection within ${limits.connectTimeoutMs} ms`), limits.connectTimeoutMs);
      socket.once("connect", () => {
        clearTimeout(connectTimer);
        check(socket);
      });
      socket.once("close", () => clearTimeout(connectTimer));
    });
    request.on("error", (error) => finish(0, error.message, !answered && request.reusedSocket));
    request.on("response", (response) => {
      answered = true;
      const status = response.statusCode ?? 0;
      let read = 0;
      response.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read > limits.maxResponseBytes) finish(status, `the response is larger than ${limits.maxResponseBytes} bytes`);
      });
      response.on("error", (error) => finish(status, error.message));
      response.on("end", () => {
        if (status >= 300 && status < 400)
          return finish(status, `redirects are not followed (${status} to ${response.headers.location ?? "nowhere"})`);
        finish(status, status >= 200 && status < 300 ? "" : `HTTP ${status}`);
      });
    });
    request.end(body);
  });
}
