import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import pg from "pg";
import { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { WebhookService } from "../../gen/modelregistry/v1/webhook_service_pb.js";
import { WebhookFailurePolicy } from "../../gen/modelregistry/v1/webhooks_pb.js";
import type { DeliveryTuning } from "../../src/webhooks/delivery-worker.js";
import { dropSchema, POSTGRES_URL, type TestDialect } from "./dialects.js";
import { postgresUrlWithSchema } from "./process.js";
import { startTestServer } from "./server.js";
import { type Answer, startReceiver } from "./webhook-receiver.js";

/** A webhook key file in a temporary folder, and the flags a child server needs to deliver to loopback over http. */
export function webhookKey() {
  const dir = mkdtempSync(join(tmpdir(), "webhook-key-"));
  const path = join(dir, "webhook.key");
  writeFileSync(path, `${randomBytes(32).toString("base64")}\n`);
  const flags = ["--webhook-key-file", path, "--webhook-delivery", "on", "--webhook-allow-http", "on", "--webhook-allowed-networks", "127.0.0.1/32"];
  return { path, flags, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Clients of a server by its URL (Connect JSON over HTTP/1.1: no session to close). */
export function clientsOf(baseUrl: string) {
  const transport = createConnectTransport({ baseUrl, httpVersion: "1.1" });
  return { registry: createClient(ModelRegistryService, transport), hooks: createClient(WebhookService, transport) };
}

export const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;

/** A webhook on the models' CREATED events; its id (as in webhook-id), secret and name. */
export async function createHook(hooks: Client<typeof WebhookService>, url: string, failurePolicy = WebhookFailurePolicy.PAUSE) {
  const created = await hooks.createWebhook({
    webhook: { displayName: unique("hook"), url, eventTypes: ["CREATED"], resourceTypes: ["RegisteredModel"], failurePolicy },
  });
  return { id: created.webhook!.name.split("/")[1]!, secret: created.secret, name: created.webhook!.name };
}

/** Creates n models, `parallel` at a time; their names in the order of the calls. */
export async function createModels(registry: Client<typeof ModelRegistryService>, prefix: string, n: number, parallel = 1): Promise<string[]> {
  const names: string[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const model = await registry.createRegisteredModel({ registeredModel: { displayName: unique(`${prefix}${i}`) } });
      names[i] = model.registeredModel!.name;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return names;
}

/** A database a child server process can open: a SQLite file, or a new schema of the Postgres test database. */
export async function processDatabase(kind: "sqlite-file" | "postgres"): Promise<{ url: string; schema?: string; cleanup(): Promise<void> }> {
  if (kind === "sqlite-file") {
    const dir = mkdtempSync(join(tmpdir(), "webhook-process-"));
    return { url: `sqlite:${join(dir, "registry.db")}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `test_webhooks_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.end();
  return { url: postgresUrlWithSchema(POSTGRES_URL, schema), schema, cleanup: () => dropSchema(schema) };
}

/** A receiver, and a server over a fresh database of the dialect delivering to loopback with this tuning. */
export async function startDelivery(dialect: TestDialect, answer: Answer, delivery: DeliveryTuning) {
  const key = webhookKey();
  const receiver = await startReceiver(answer);
  const webhooks = { keyFile: key.path, allowHttp: true, allowedNetworks: ["127.0.0.1/32"], delivery };
  const server = await startTestServer(dialect, undefined, { app: { webhooks } });
  return {
    server,
    receiver,
    async close() {
      await server.close();
      await receiver.close();
      key.cleanup();
    },
  };
}
