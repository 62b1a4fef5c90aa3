import { type Client, ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Event, WatchRequest, WatchRequestSchema, WatchResponse } from "../../gen/modelregistry/v1/events_pb.js";
import { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { type App, type WatchOptions, startApp } from "../../src/app.js";
import { createLogger } from "../../src/logger.js";
import type { TestDatabase, TestDialect } from "../support/dialects.js";

/** gRPC, Connect JSON and Connect binary on the main port; "grpc-fast" is gRPC on the grpc-js port (--grpc-port), whose streams take live events directly. */
export type WatchProtocol = "grpc" | "connect-json-h1" | "connect-binary-h2" | "grpc-fast";

/** Fast progress and polling for tests; everything else as in production. */
export const TEST_WATCH: WatchOptions = { progressIntervalMs: 300, pollIntervalMs: 500 };

export interface WatchServer {
  app: App;
  db: TestDatabase;
  /** A client on its own connection (so one stalled stream cannot stall another's). */
  client(protocol?: WatchProtocol, actor?: string): Client<typeof ModelRegistryService>;
  /** Stops the server and closes every client connection; drops the database unless it was given. */
  close(): Promise<void>;
}

/** The real server on port 0 with watch options, over a fresh database of the dialect (or the given one). */
export async function startWatchServer(
  dialect: TestDialect,
  options: { db?: TestDatabase; watch?: WatchOptions; port?: number } = {},
): Promise<WatchServer> {
  const db = options.db ?? (await dialect.create());
  const app = await startApp({
    database: db.database,
    schema: db.schema,
    host: "127.0.0.1",
    port: options.port ?? 0,
    grpcPort: 0,
    logger: createLogger((process.env.TEST_LOG_LEVEL as "debug") ?? "silent"),
    poolSize: 6,
    watch: { ...TEST_WATCH, ...options.watch },
  });
  const managers: Http2SessionManager[] = [];
  const transport = (protocol: WatchProtocol, actor: string): Transport => {
    const baseUrl = app.server.url;
    const setActor: Interceptor = (next) => async (req) => {
      req.header.set("x-actor", actor);
      return next(req);
    };
    const interceptors = [setActor];
    if (protocol === "connect-json-h1") return createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors });
    const url = protocol === "grpc-fast" ? `http://127.0.0.1:${app.grpcServer!.port}` : baseUrl;
    const sessionManager = new Http2SessionManager(url);
    managers.push(sessionManager);
    if (protocol === "connect-binary-h2") {
      return createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, sessionManager, interceptors });
    }
    return createGrpcTransport({ baseUrl: url, sessionManager, interceptors });
  };
  return {
    app,
    db,
    client: (protocol = "grpc", actor = "tester") => createClient(ModelRegistryService, transport(protocol, actor)),
    async close() {
      await app.close();
      for (const m of managers) m.abort();
      if (!options.db) await db.cleanup();
    },
  };
}

/** A watch stream consumed in the background, recording what it receives. */
export class Watcher {
  readonly responses: WatchResponse[] = [];
  readonly events: Event[] = [];
  /** Receipt time (performance.now()) of each event, by revision. */
  readonly receivedAt = new Map<number, number>();
  error: ConnectError | undefined;
  done = false;
  private readonly controller = new AbortController();
  private readonly finished: Promise<void>;
  private waiters: Array<() => void> = [];

  constructor(client: Client<typeof ModelRegistryService>, request: MessageInitShape<typeof WatchRequestSchema>) {
    const stream = client.watch(request, { signal: this.controller.signal });
    this.finished = (async () => {
      try {
        for await (const response of stream) {
          this.responses.push(response);
          if (response.kind.case === "event") {
            this.events.push(response.kind.value);
            this.receivedAt.set(Number(response.kind.value.revision), performance.now());
          }
          this.notify();
        }
      } catch (error) {
        this.error = ConnectError.from(error);
      } finally {
        this.done = true;
        this.notify();
      }
    })();
  }

  /** Revisions of the events received, in order. */
  get revisions(): number[] {
    return this.events.map((e) => Number(e.revision));
  }

  /** The newest revision the client may resume from: the last event, synced or progress. */
  get checkpoint(): number {
    for (let i = this.responses.length - 1; i >= 0; i--) {
      const k = this.responses[i]!.kind;
      if (k.case === "event" || k.case === "synced" || k.case === "progress") return Number(k.value.revision);
    }
    return -1;
  }

  /** Resolves when cond holds; fails after timeoutMs (a hung stream fails the test, it does not hang it). */
  async until(cond: (w: Watcher) => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond(this)) {
      if (this.done && !cond(this)) throw new Error(`stream ended before ${what}: ${this.error?.message ?? "completed"}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (got ${this.events.length} events)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the stream to be established (its first response). */
  ready(timeoutMs = 10_000): Promise<void> {
    return this.until((w) => w.responses.length > 0, timeoutMs, "the first response");
  }

  /** Cancels the stream and waits for the consumer to finish. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.finished;
  }

  /** Waits for the stream to end by itself. */
  async ended(timeoutMs = 10_000): Promise<void> {
    await this.until((w) => w.done, timeoutMs, "the end of the stream");
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

export function watch(client: Client<typeof ModelRegistryService>, request: MessageInitShape<typeof WatchRequestSchema> = {}): Watcher {
  return new Watcher(client, request);
}

/** Builds unique names within one test file. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

export type { WatchRequest };
