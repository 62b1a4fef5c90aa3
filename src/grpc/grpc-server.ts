import type { Interceptor } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import type { HttpTimeouts } from "../http-timeouts.js";
import type { Logger } from "../logger.js";
import type { TlsMaterial } from "../server.js";
import { guardGrpcFraming, type MethodKind } from "./grpc-framing.js";
import { type GrpcServiceEntry, grpcService } from "./grpc-service.js";

export interface GrpcServerOptions {
  services: GrpcServiceEntry[];
  /** The Connect server's interceptors, so both ports behave the same. */
  interceptors: Interceptor[];
  host: string;
  port: number;
  logger: Logger;
  /** Aborted when shutdown begins: streams end on it. */
  shutdownSignal: AbortSignal;
  /** Largest request message in bytes (default 4 MiB, as on the main port). */
  readMaxBytes?: number;
  /** How long in-flight calls may take to finish on shutdown (default 10 s). */
  drainTimeoutMs?: number;
  /** Serve TLS, with the same certificate (and client CA) as the main port. */
  tls?: TlsMaterial;
  /** The main port's slow-client timeouts: the body one (grpc-framing.ts), and the idle one (grpc.max_connection_idle_ms). */
  timeouts?: HttpTimeouts;
}

export interface RunningGrpcServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The native gRPC fast path: the same handlers and interceptors served by @grpc/grpc-js on a
 * second port. connect-node's gRPC protocol does about a fifth of grpc-js's unary calls per
 * second on one core (see the Performance section of the README); gRPC clients that need the
 * throughput use this port, everything else (Connect, gRPC-Web, reflection, health) stays on
 * the main port.
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const maxBytes = options.readMaxBytes ?? 4 * 1024 * 1024;
  const idleMs = options.timeouts?.idleMs ?? 0;
  const server = new grpc.Server({ "grpc.max_receive_message_length": maxBytes, ...(idleMs > 0 ? { "grpc.max_connection_idle_ms": idleMs } : {}) });
  // Our framing check (and the body timeout) sees every request's bytes before grpc-js does.
  const methods = new Map<string, MethodKind>();
  for (const { service } of options.services) {
    for (const m of service.methods)
      if (m.methodKind === "unary" || m.methodKind === "server_streaming")
        methods.set(`/${service.typeName}/${m.name}`, m.methodKind === "unary" ? "unary" : "server-streaming");
  }
  guardGrpcFraming(server, { maxBytes, methods, ...(options.timeouts ? { timeouts: options.timeouts } : {}) });
  for (const entry of options.services) {
    const { definition, handlers } = grpcService(entry, { interceptors: options.interceptors, shutdownSignal: options.shutdownSignal });
    server.addService(definition, handlers);
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${hostPort(options.host)}:${options.port}`, credentialsOf(options.tls), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        options.logger.warn("grpc server drain timed out; closing connections");
        server.forceShutdown();
        resolve();
      }, options.drainTimeoutMs ?? 10_000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    }));
  return { port, close };
}

function hostPort(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** TLS (requiring a client certificate signed by clientCa when it is set) or cleartext. */
function credentialsOf(material: TlsMaterial | undefined): grpc.ServerCredentials {
  if (!material) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(
    material.clientCa ?? null,
    [{ private_key: material.key, cert_chain: material.cert }],
    material.clientCa !== undefined,
  );
}
