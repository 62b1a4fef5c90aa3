import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { fromBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { EventType, WatchRequestSchema, WatchResponseSchema } from "../../gen/modelregistry/v1/events_pb.js";
import { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { WebhookService } from "../../gen/modelregistry/v1/webhook_service_pb.js";
import { percentile } from "../stats.js";
import { encodeBody } from "./requests.js";

/**
 * The far side of goal 10, as its own process (pinned to the load core, so that receiving does
 * not take the server's CPU): loopback HTTP/1.1 receivers for the webhooks, the 100 webhooks
 * created through the WebhookService, a writer of CreateRegisteredModel calls at a fixed rate,
 * and the Watch subscribers of the baseline. Every delivery's latency is measured from the event's
 * `time` (stamped by the server inside the write transaction, so just before the commit) to its
 * arrival here: the same clock, the same reference for a webhook and for Watch.
 */
const WATCH_PATH = "/modelregistry.v1.ModelRegistryService/Watch";
const now = () => performance.timeOrigin + performance.now();

/** What one run measured; latencies in ms. */
export interface DeliveryRun {
  writes: number;
  writeErrors: number;
  /** Deliveries the writes should give (writes × webhooks or subscribers). */
  expected: number;
  received: number;
  duplicates: number;
  seconds: number;
  /** Received by the moment the last write answered, per second of writing. */
  ratePerSecond: number;
  /** Committed writes × fan-out, less what had arrived, sampled each second: the largest, and at the end of the writes. */
  maxBacklog: number;
  backlogAtEnd: number;
  /** From the last write's answer until everything had arrived (NaN: it did not within the drain timeout). */
  drainMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface RunSpec {
  mode: "webhooks" | "watch";
  /** The server's main port: writes, Watch and the WebhookService. */
  port: number;
  fanout: number;
  writesPerSecond: number;
  seconds: number;
  drainTimeoutMs: number;
}

/** The current run's arrivals: latency by message id (webhook-id for webhooks, stream/revision for Watch). */
let arrivals = new Map<string, number>();
let duplicates = 0;

function arrive(id: string, at: number, eventTimeMs: number): void {
  if (arrivals.has(id)) duplicates++;
  else arrivals.set(id, at - eventTimeMs);
}

const receivers: http.Server[] = [];

/** HTTP/1.1 receivers on loopback: a 204 for every POST, noting its CloudEvent's id and time. */
async function listen(count: number): Promise<number[]> {
  for (let i = 0; i < count; i++) {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const event = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: string; time: string };
        arrive(event.id, now(), Date.parse(event.time));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    receivers.push(server);
  }
  return receivers.map((s) => (s.address() as AddressInfo).port);
}

const transport = (port: number) => createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` });

/** Creates `count` webhooks of every registered model's creation, spread over the receivers. */
async function createWebhooks(port: number, count: number, ports: number[]): Promise<void> {
  const hooks = createClient(WebhookService, transport(port));
  for (let i = 0; i < count; i++) {
    await hooks.createWebhook({
      webhook: {
        displayName: `bench-webhook-${i}`,
        url: `http://127.0.0.1:${ports[i % ports.length]}/hook/${i}`,
        eventTypes: ["CREATED"],
        resourceTypes: ["RegisteredModel"],
      },
    });
  }
}

/** `count` Watch streams of registered models on the main port (Connect protocol, binary), 10 per connection. */
async function openWatchers(port: number, count: number): Promise<() => void> {
  const sessions = Array.from({ length: Math.ceil(count / 10) }, () => http2.connect(`http://127.0.0.1:${port}`));
  for (const s of sessions) s.on("error", () => {});
  let established = 0;
  const body = encodeBody("grpc", WatchRequestSchema, { resourceTypes: ["RegisteredModel"] });
  for (let i = 0; i < count; i++) {
    const stream = sessions[i % sessions.length]!.request({
      ":method": "POST",
      ":path": WATCH_PATH,
      "content-type": "application/connect+proto",
      "connect-protocol-version": "1",
    });
    let buffer: Buffer = Buffer.alloc(0);
    let open = false;
    stream.on("data", (chunk: Buffer) => {
      const at = now();
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      while (buffer.length >= 5 && buffer.length >= 5 + buffer.readUInt32BE(1)) {
        const length = buffer.readUInt32BE(1);
        const flags = buffer[0]!;
        const message = buffer.subarray(5, 5 + length);
        buffer = buffer.subarray(5 + length);
        if (flags !== 0) continue;
        if (!open) established++;
        open = true;
        const response = fromBinary(WatchResponseSchema, message);
        if (response.kind.case !== "event" || response.kind.value.type !== EventType.CREATED) continue;
        const event = response.kind.value;
        arrive(`${i}_${event.revision}`, at, timestampMs(event.time!));
      }
    });
    stream.on("error", () => {});
    stream.end(body);
  }
  const deadline = Date.now() + 30_000;
  while (established < count) {
    if (Date.now() > deadline) throw new Error(`only ${established} of ${count} Watch streams opened`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return () => {
    for (const s of sessions) s.destroy();
  };
}

/** Writes at a fixed rate (each on its schedule, not after the previous answer) and measures the deliveries. */
async function run(spec: RunSpec): Promise<DeliveryRun> {
  arrivals = new Map();
  duplicates = 0;
  const closeWatchers = spec.mode === "watch" ? await openWatchers(spec.port, spec.fanout) : () => {};
  const registry = createClient(ModelRegistryService, transport(spec.port));
  const total = Math.round(spec.writesPerSecond * spec.seconds);
  let committed = 0;
  let writeErrors = 0;
  let maxBacklog = 0;
  const sampler = setInterval(() => (maxBacklog = Math.max(maxBacklog, committed * spec.fanout - arrivals.size)), 1000);
  const started = now();
  const writes: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / spec.writesPerSecond - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    writes.push(
      registry.createRegisteredModel({ registeredModel: { displayName: `bench-webhooks-${process.pid}-${Date.now()}-${i}` } }).then(
        () => void committed++,
        () => void writeErrors++,
      ),
    );
  }
  await Promise.all(writes);
  clearInterval(sampler);
  const writesDone = now();
  const receivedAtEnd = arrivals.size;
  const backlogAtEnd = committed * spec.fanout - receivedAtEnd;
  maxBacklog = Math.max(maxBacklog, backlogAtEnd);
  const expected = committed * spec.fanout;
  while (arrivals.size < expected && now() - writesDone < spec.drainTimeoutMs) await new Promise((r) => setTimeout(r, 10));
  const drainMs = arrivals.size >= expected ? now() - writesDone : Number.NaN;
  closeWatchers();
  const latencies = [...arrivals.values()].sort((a, b) => a - b);
  const seconds = (writesDone - started) / 1000;
  return {
    writes: committed,
    writeErrors,
    expected,
    received: arrivals.size,
    duplicates,
    seconds,
    ratePerSecond: receivedAtEnd / seconds,
    maxBacklog,
    backlogAtEnd,
    drainMs,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
  };
}

type Command =
  | { id: number; listen: number }
  | { id: number; create: { port: number; count: number; ports: number[] } }
  | { id: number; run: RunSpec };

process.on("message", (command: Command) => {
  void (async () => {
    try {
      if ("listen" in command) return process.send!({ id: command.id, result: await listen(command.listen) });
      if ("create" in command) {
        await createWebhooks(command.create.port, command.create.count, command.create.ports);
        return process.send!({ id: command.id, result: true });
      }
      process.send!({ id: command.id, result: await run(command.run) });
    } catch (error) {
      process.send!({ id: command.id, error: error instanceof Error ? error.message : String(error) });
    }
  })();
});
process.send!({ ready: true });
