import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { type App, type AppOptions, startApp } from "../../src/app.js";
import { createLogger, type Logger } from "../../src/logger.js";
import type { TestDatabase, TestDialect } from "./dialects.js";

export interface TestServer {
  app: App;
  url: string;
  port: number;
  db: TestDatabase;
  /** Stops the server, closes every client session and drops the database. */
  close(): Promise<void>;
  /** A transport of the given protocol to this server; closed with the server. */
  transport(protocol: Protocol): Transport;
  client(protocol: Protocol): Client<typeof ModelRegistryService>;
  clientOf<S extends DescService>(service: S, protocol: Protocol): Client<S>;
}

export type Protocol = "connect-json-h1" | "connect-binary-h2" | "grpc" | "grpc-web";
export const PROTOCOLS: Protocol[] = ["connect-json-h1", "grpc"];

export interface TestServerOptions {
  /** Where the server logs (default: silent, or TEST_LOG_LEVEL to stderr). */
  logger?: Logger;
  /** More options of the app (webhooks, watch tuning, …). */
  app?: Partial<Omit<AppOptions, "database" | "schema" | "logger">>;
}

/** Starts the real server on port 0 over a fresh database of the dialect. */
export async function startTestServer(dialect: TestDialect, db?: TestDatabase, options: TestServerOptions = {}): Promise<TestServer> {
  const database = db ?? (await dialect.create());
  const app = await startApp({
    database: database.database,
    schema: database.schema,
    host: "127.0.0.1",
    port: 0,
    logger: options.logger ?? createLogger((process.env.TEST_LOG_LEVEL as "debug") ?? "silent"),
    poolSize: 5,
    ...options.app,
  });
  const managers: Http2SessionManager[] = [];
  const transport = (protocol: Protocol): Transport => {
    const baseUrl = app.server.url;
    if (protocol === "connect-json-h1") return createConnectTransport({ baseUrl, httpVersion: "1.1" });
    const sessionManager = new Http2SessionManager(baseUrl);
    managers.push(sessionManager);
    if (protocol === "connect-binary-h2") {
      return createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, sessionManager });
    }
    if (protocol === "grpc-web") return createGrpcWebTransport({ baseUrl, httpVersion: "2", sessionManager });
    return createGrpcTransport({ baseUrl, sessionManager });
  };
  return {
    app,
    url: app.server.url,
    port: app.server.port,
    db: database,
    transport,
    client: (protocol) => createClient(ModelRegistryService, transport(protocol)),
    clientOf: (service, protocol) => createClient(service, transport(protocol)),
    async close() {
      for (const m of managers) m.abort();
      await app.close();
      if (!db) await database.cleanup();
    },
  };
}
