import type { Interceptor, StreamResponse, UnaryRequest } from "@connectrpc/connect";
import { ConnectError } from "@connectrpc/connect";
import { DeadlineExceededError, ResourceExhaustedError } from "../../registry/core/errors.js";
import { isLoopbackHost } from "../../auth/bind-policy.js";
import type { Identity } from "../../auth/identity.js";
import { withCallBounds } from "../../registry/shared/call-scope.js";
import { IDENTITY_KEY, PEER_KEY } from "./auth-interceptor.js";

/** Per-call limits that keep one client from taking the server from everyone else. */
export interface CallLimits {
  /** Open streaming calls (Watch, health Watch, reflection) per client; 0: unlimited (default 100). */
  maxStreamsPerClient?: number;
  /** Deadline of unary calls whose client sets none, in ms; 0: none (default 30000). */
  requestTimeoutMs?: number;
}

export const DEFAULT_MAX_STREAMS_PER_CLIENT = 100;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Enforces CallLimits. A client is its authenticated subject, or its IP address when
 * authentication is off (loopback addresses are then not limited). Runs inside the auth interceptor
 * (so the identity is known) and inside the error interceptor (so the domain errors map to
 * RESOURCE_EXHAUSTED with reason TOO_MANY_STREAMS and DEADLINE_EXCEEDED with reason
 * DEADLINE_EXCEEDED, each naming the limit).
 *
 * The unary deadline applies only when the client sent none (grpc-timeout or
 * connect-timeout-ms, which connect-node turns into the call's signal); either way the call
 * ends when its deadline passes even if the handler is stuck in an uninterruptible wait. The
 * handler then finishes in the background (its result is dropped); a write that already reached
 * the database may still commit, as with any deadline.
 */
export function createLimitsInterceptor(limits: CallLimits = {}, shutdownSignal?: AbortSignal): Interceptor {
  const maxStreams = limits.maxStreamsPerClient ?? DEFAULT_MAX_STREAMS_PER_CLIENT;
  const timeoutMs = limits.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const open = new Map<string, number>();
  const deadlines = new DeadlineSweeper(timeoutMs, shutdownSignal);

  return (next) => async (req) => {
    if (!req.stream) return deadlines.run(next, req);
    if (maxStreams <= 0) return next(req);
    const client = clientOf(req.contextValues.get(IDENTITY_KEY), req.contextValues.get(PEER_KEY).address);
    if (client === null) return next(req);
    const count = open.get(client) ?? 0;
    if (count >= maxStreams) {
      throw new ResourceExhaustedError(
        `too many concurrent streams: ${client} has ${count} open; the limit (max-streams-per-client) is ${maxStreams}`,
        "TOO_MANY_STREAMS",
        { limit: "max-streams-per-client", value: String(maxStreams) },
      );
    }
    open.set(client, count + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      req.signal.removeEventListener("abort", release);
      const left = (open.get(client) ?? 1) - 1;
      if (left <= 0) open.delete(client);
      else open.set(client, left);
    };
    // The call's signal aborts when it ends for any reason, also when the stream was never read.
    req.signal.addEventListener("abort", release, { once: true });
    try {
      const res = await next(req);
      if (!res.stream) {
        release();
        return res;
      }
      return { ...res, message: releasing(res.message, release) } as StreamResponse;
    } catch (error) {
      release();
      throw error;
    }
  };
}

/**
 * Whom a stream counts against: the authenticated subject, else the peer's address. Null (not
 * limited) for anonymous callers on loopback: with authentication off and the server on
 * localhost, the local processes (the embedded default, benchmarks, sidecars) are trusted.
 */
function clientOf(identity: Identity | undefined, address: string | undefined): string | null {
  if (identity !== undefined && identity.method !== "anonymous" && identity.method !== "unauthenticated")
    return `subject ${JSON.stringify(identity.subject)}`;
  if (address === undefined || isLoopbackHost(address)) return null;
  return `address ${address}`;
}

async function* releasing<T>(source: AsyncIterable<T>, release: () => void): AsyncIterable<T> {
  try {
    yield* source;
  } finally {
    release();
  }
}

type Next = Parameters<Interceptor>[0];

/** Whether the client set its own deadline (then connect-node's signal already carries it). */
function clientSetDeadline(header: Headers): boolean {
  return header.has("grpc-timeout") || header.has("connect-timeout-ms");
}

const GRPC_TIMEOUT_UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000_001 };

/** The client's own deadline in epoch ms, from grpc-timeout or connect-timeout-ms; undefined without one. */
function clientDeadline(header: Headers, now: number): number | undefined {
  const connect = header.get("connect-timeout-ms");
  if (connect !== null && /^\d{1,10}$/.test(connect)) return now + Number(connect);
  const grpc = /^(\d{1,8})([HMSmun])$/.exec(header.get("grpc-timeout") ?? "");
  return grpc ? now + Number(grpc[1]) * (GRPC_TIMEOUT_UNIT_MS[grpc[2] as string] ?? 0) : undefined;
}

interface InFlight {
  /** Epoch ms after which the server's default deadline has passed; Infinity when the client set one. */
  deadline: number;
  signal: AbortSignal;
  fail: (error: unknown) => void;
}

/**
 * Ends unary calls whose deadline passed while their handler is still busy (stuck in an
 * uninterruptible wait). One interval timer checks every call in flight, so a call costs a Set
 * insertion rather than a timer of its own (this sits on the path of every RPC); a deadline is
 * therefore enforced within a quarter of it (at most 250 ms) late. The timer stops when no call
 * is in flight.
 */
class DeadlineSweeper {
  private readonly calls = new Set<InFlight>();
  private timer: NodeJS.Timeout | undefined;
  private readonly tickMs: number;

  /**
   * shutdownSignal: connect links every call's signal to the server's shutdown signal (so that
   * streams end), but a unary call in flight when shutdown begins is drained, not failed: an
   * abort that carries the shutdown's reason is not the client's cancel or deadline.
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly shutdownSignal?: AbortSignal,
  ) {
    this.tickMs = Math.max(5, Math.min(250, Math.floor(timeoutMs / 4) || 250));
  }

  /**
   * Runs the call with its bounds in scope (registry/call-scope.ts): a signal that aborts when
   * the client cancels, when the client's deadline passes, or when this sweeper ends the call at
   * the server's deadline (not when the server shuts down: a unary call is drained then), and the
   * earliest of the two deadlines. So the database stops the call's work where it can.
   */
  run(next: Next, req: UnaryRequest) {
    const now = Date.now();
    const deadline = this.timeoutMs > 0 && !clientSetDeadline(req.header) ? now + this.timeoutMs : Number.POSITIVE_INFINITY;
    const own = clientDeadline(req.header, now);
    const bounded = Math.min(deadline, own ?? Number.POSITIVE_INFINITY);
    const ended = new AbortController();
    const forward = () => {
      if (!this.shutDown(req.signal)) ended.abort(req.signal.reason);
    };
    req.signal.addEventListener("abort", forward, { once: true });
    const bounds = { signal: ended.signal, ...(Number.isFinite(bounded) ? { deadline: bounded } : {}) };
    return new Promise<Awaited<ReturnType<Next>>>((resolve, reject) => {
      const fail = (error: unknown) => {
        ended.abort(error);
        reject(error);
      };
      const call: InFlight = { deadline, signal: req.signal, fail };
      this.calls.add(call);
      this.timer ??= setInterval(() => this.sweep(), this.tickMs).unref();
      const settle = () => {
        this.calls.delete(call);
        req.signal.removeEventListener("abort", forward);
      };
      withCallBounds(bounds, () => next(req)).then(
        (res) => {
          settle();
          resolve(res);
        },
        (error: unknown) => {
          settle();
          reject(error);
        },
      );
    });
  }

  private sweep(): void {
    if (this.calls.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = Date.now();
    for (const call of this.calls) {
      if (call.signal.aborted && !this.shutDown(call.signal)) {
        // The client's deadline or cancel: connect-node aborted the call's signal.
        const reason: unknown = call.signal.reason;
        call.fail(reason instanceof Error ? reason : ConnectError.from(reason));
      } else if (now >= call.deadline) {
        call.fail(
          new DeadlineExceededError(`the call took longer than the server's request timeout of ${this.timeoutMs} ms (request-timeout)`, {
            limit: "request-timeout",
            value: String(this.timeoutMs),
          }),
        );
      } else continue;
      this.calls.delete(call);
    }
  }

  /** Whether the signal was aborted by the server's shutdown (connect passes its reason on). */
  private shutDown(signal: AbortSignal): boolean {
    return this.shutdownSignal?.aborted === true && signal.reason === this.shutdownSignal.reason;
  }
}
