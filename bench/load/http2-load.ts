import http2 from "node:http2";
import { bodySource, PROTOCOL_HEADERS, type RequestSpec, type WireProtocol } from "./requests.js";

/** One slice of closed-loop load: `concurrency` requests in flight for `durationMs`. */
export interface SliceSpec {
  protocol: WireProtocol;
  port: number;
  /** `/package.Service/Method` */
  path: string;
  request: RequestSpec;
  concurrency: number;
  /** HTTP/2 connections the requests are spread over. */
  connections: number;
  durationMs: number;
  /** Extra request headers (e.g. x-actor). */
  headers?: Record<string, string>;
}

export interface SliceResult {
  requests: number;
  errors: number;
  /** The first error seen, for the report. */
  firstError?: string;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU the generator used, as a fraction of one core (near 1: the generator may be the bottleneck). */
  clientCpu: number;
}

const sessions = new Map<string, http2.ClientHttp2Session[]>();

/** Reuses HTTP/2 connections across slices of the same port (connecting is not what we measure). */
function sessionsFor(port: number, n: number): http2.ClientHttp2Session[] {
  const key = `${port}/${n}`;
  let list = sessions.get(key);
  if (!list || list.some((s) => s.destroyed || s.closed)) {
    list = Array.from({ length: n }, () => {
      const session = http2.connect(`http://127.0.0.1:${port}`, { settings: { initialWindowSize: 1 << 20 } });
      session.on("error", () => {});
      session.setMaxListeners(0);
      return session;
    });
    sessions.set(key, list);
  }
  return list;
}

export function closeSessions(): void {
  for (const list of sessions.values()) for (const s of list) s.close();
  sessions.clear();
}

/** Sends one request and resolves with an error text, or undefined on success. */
function send(session: http2.ClientHttp2Session, spec: SliceSpec, body: Buffer): Promise<string | undefined> {
  return new Promise((resolve) => {
    const grpc = spec.protocol === "grpc";
    const grpcWeb = spec.protocol === "grpc-web";
    const req = session.request({ ":method": "POST", ":path": spec.path, ...PROTOCOL_HEADERS[spec.protocol], ...spec.headers });
    let status = 0;
    let grpcStatus: string | undefined;
    let text = "";
    req.on("response", (headers) => {
      status = Number(headers[":status"]);
      if (headers["grpc-status"] !== undefined) grpcStatus = String(headers["grpc-status"]);
    });
    req.on("trailers", (trailers) => {
      if (trailers["grpc-status"] !== undefined) grpcStatus = String(trailers["grpc-status"]);
    });
    req.on("data", (chunk: Buffer) => {
      // gRPC-Web: the status is in the trailer frame at the end of the body (keep the tail).
      if (grpcWeb && status === 200) text = (text + chunk.toString("latin1")).slice(-300);
      else if (status !== 200 && text.length < 500) text += chunk.toString();
    });
    req.on("error", (error) => resolve(`stream error: ${error.message}`));
    req.on("end", () => {
      if (status !== 200) resolve(`HTTP ${status}: ${text.slice(0, 300)}`);
      else if (grpc && grpcStatus !== "0") resolve(`grpc-status ${grpcStatus}`);
      else if (grpcWeb && (grpcStatus ?? /grpc-status: ?(\d+)/i.exec(text)?.[1]) !== "0") resolve(`grpc-web: ${grpcStatus ?? text.slice(-200)}`);
      else resolve(undefined);
    });
    req.end(body);
  });
}

/** Runs one slice of closed-loop load and measures throughput and latency. */
export async function runSlice(spec: SliceSpec): Promise<SliceResult> {
  const list = sessionsFor(spec.port, spec.connections);
  const next = bodySource(spec.protocol, spec.request);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let i = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const deadline = started + spec.durationMs;
  const loop = async (worker: number) => {
    const session = list[worker % list.length]!;
    while (performance.now() < deadline) {
      const body = next(i++);
      const t = performance.now();
      const error = await send(session, spec, body);
      latencies.push(performance.now() - t);
      if (error !== undefined) {
        errors++;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, (_, w) => loop(w)));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    ...(firstError ? { firstError } : {}),
    seconds,
    rps: latencies.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    clientCpu: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}
