import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { GetModelVersionResponseSchema, type GetModelVersionResponse } from "../gen/modelregistry/v1/model_registry_service_pb.js";
import { versionOut } from "../src/api/versions/version-convert.js";
import { startApp } from "../src/app.js";
import { createLogger } from "../src/logger.js";
import { EchoService, echoImpl } from "./echo.js";
import { FRAME_BYTES, HELLO } from "./load/fanout-wire.js";
import { getVersion } from "../src/registry/versions/versions.js";

/**
 * The server under test, as its own process (pinned to one core): the real app (startApp: the
 * same store, registry, server stack and interceptors as `model-registry serve`), on a main
 * port and on the grpc-js fast path, plus the echo baseline on both. Talks to the coordinator
 * over IPC: "ready" with its ports, then answers "memory" and "echo-from" requests, and stops on
 * "stop".
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1]!);

let echoResponse: GetModelVersionResponse = create(GetModelVersionResponseSchema);
const app = await startApp({
  database: args.get("database")!,
  ...(args.get("schema") ? { schema: args.get("schema")! } : {}),
  host: "127.0.0.1",
  port: 0,
  grpcPort: 0,
  poolSize: Number(args.get("pool-size") ?? 10),
  logger: createLogger("warn"),
  services: [{ service: EchoService, impl: echoImpl(() => echoResponse) }],
  // Keep every event: the seeded ones are old, and compacting them mid-run would skew the figures.
  watch: { retention: { maxAgeMs: 0, minEvents: 0 } },
  // The --webhook-* flags of `model-registry serve` (goal 10), with the same names and values.
  ...(args.get("webhook-key-file")
    ? {
        webhooks: {
          keyFile: args.get("webhook-key-file")!,
          allowHttp: args.get("webhook-allow-http") === "on",
          allowedNetworks: (args.get("webhook-allowed-networks") ?? "").split(",").filter(Boolean),
          delivery: args.get("webhook-delivery") === "on",
        },
      }
    : {}),
});

/**
 * The fan-out baseline of goal 5 in the same process: a bare node:http2 server that holds
 * `GET /watch` streams open and, on `POST /fire`, writes one event-sized frame to every one of
 * them (no framework, no encoding per stream).
 */
async function startRawFanout(): Promise<number> {
  const streams = new Set<http2.ServerHttp2Stream>();
  const frame = Buffer.alloc(FRAME_BYTES, 0x61);
  const server = http2.createServer();
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    if (headers[":path"] === "/watch") {
      stream.respond({ ":status": 200, "content-type": "application/octet-stream" });
      stream.write(HELLO);
      streams.add(stream);
      stream.on("close", () => streams.delete(stream));
      return;
    }
    for (const s of streams) s.write(frame);
    stream.respond({ ":status": 200 });
    stream.end();
  });
  server.on("sessionError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}
const rawFanoutPort = await startRawFanout();

type Command = { id: number; cmd: "memory" | "stop" | "gc" | "cpu" } | { id: number; cmd: "echo-from"; modelId: number; versionId: number };

process.on("message", (command: Command) => {
  void (async () => {
    const reply = (result: unknown) => process.send!({ id: command.id, result });
    switch (command.cmd) {
      case "echo-from": {
        // The echo answers with this real version, so both sides of the A/B carry the same bytes.
        const version = await getVersion(app.registry, { model: { id: command.modelId }, selector: { kind: "id", id: command.versionId } });
        echoResponse = create(GetModelVersionResponseSchema, { modelVersion: versionOut(version) });
        return reply(true);
      }
      case "gc":
        (globalThis as { gc?: () => void }).gc?.();
        return reply(process.memoryUsage());
      case "cpu": {
        const { user, system } = process.cpuUsage();
        return reply((user + system) / 1000);
      }
      case "memory":
        return reply(process.memoryUsage());
      case "stop":
        await app.close();
        process.send!({ id: command.id, result: true }, () => process.exit(0));
        return;
    }
  })().catch((error: unknown) => process.send!({ id: command.id, error: String(error) }));
});
process.send!({ ready: true, port: app.server.port, grpcPort: app.grpcServer!.port, rawFanoutPort, pid: process.pid });
