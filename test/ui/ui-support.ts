import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@connectrpc/connect";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import type { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { ensureUiBuilt, launchBrowser, SCREENSHOT_DIR } from "../support/browser.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { startTestServer } from "../support/server.js";

/** A page of a fresh browser context at 1280×800, with what it logged as errors. */
export interface UiPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions of the page (a CSP refusal is one). */
  errors: string[];
}

export async function startBrowser(): Promise<Browser> {
  await ensureUiBuilt();
  return launchBrowser();
}

/** The server a browser suite drives: its URL, a client that may do anything, and its stop. */
export interface UiServer {
  url: string;
  client(protocol: "connect-json-h1" | "grpc"): RegistryClient;
  close(): Promise<void>;
}

/** The server and browser of a describe block, there from its beforeAll on. */
export interface UiSuite {
  server: UiServer;
  browser: Browser;
}

const startPlainServer = (): Promise<UiServer> => startTestServer(SERVER_DIALECTS[0]!);

/**
 * Starts a real server (by default SQLite in memory, no authentication) and Chromium before the
 * block's tests, seeds the server, and stops both after them.
 */
export function uiSuite(seed: (client: RegistryClient) => Promise<void> = async () => {}, start = startPlainServer): UiSuite {
  const suite = {} as UiSuite;
  beforeAll(async () => {
    [suite.server, suite.browser] = await Promise.all([start(), startBrowser()]);
    await seed(suite.server.client("connect-json-h1"));
  }, 120_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}

export async function openPage(browser: Browser, url: string, context?: BrowserContext): Promise<UiPage> {
  const ctx = context ?? (await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "light" }));
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(url);
  return { page, context: ctx, errors };
}

/** Writes docs/images/ui/<name>.png (the docs page shows these). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

type RegistryClient = Client<typeof ModelRegistryService>;

/** A small registry: three models, versions with metrics and parameters, aliases, labels. */
export async function seedCatalog(client: RegistryClient): Promise<{ fraud: string; fraudV1: string; churn: string }> {
  const register = (model: string, version: string, accuracy: number, extra: Record<string, number | string> = {}) =>
    client.registerModel({
      requestId: `${model}-${version}`,
      registeredModel: { displayName: model, owner: "risk-team", description: `${model} model`, labels: { team: "risk" } },
      modelVersion: {
        version,
        author: "pipeline@acme.com",
        customProperties: {
          accuracy: { kind: { case: "doubleValue", value: accuracy } },
          ...Object.fromEntries(
            Object.entries(extra).map(([k, v]) => [
              k,
              typeof v === "number" ? { kind: { case: "doubleValue" as const, value: v } } : { kind: { case: "stringValue" as const, value: v } },
            ]),
          ),
        },
      },
      modelArtifacts: [{ uri: `s3://ml-models/${model}/${version}/model.onnx`, modelFormatName: "onnx", modelFormatVersion: "1.14" }],
    });
  const v1 = await register("fraud-detector", "v1", 0.91, { loss: 0.31, dataset: "2025-q3" });
  await register("fraud-detector", "v2", 0.95, { loss: 0.22, dataset: "2025-q4" });
  await register("fraud-detector", "v3", 0.93, { loss: 0.25, dataset: "2025-q4" });
  const churn = await register("churn-predictor", "1.0.0", 0.81);
  await register("image-tagger", "v1", 0.77);
  await client.setAlias({ name: `${v1.registeredModel!.name}/aliases/production`, modelVersion: v1.modelVersion!.name, reason: "passed review" });
  return { fraud: v1.registeredModel!.name, fraudV1: v1.modelVersion!.name, churn: churn.registeredModel!.name };
}

/**
 * Lineage and a deployment for a version: an experiment run with parameters and a metric history
 * that the version names as its source, and an inference service following @production.
 */
export async function seedLineage(client: RegistryClient, model: string, version: string): Promise<void> {
  const { experiment } = await client.createExperiment({ experiment: { displayName: "fraud-training", owner: "risk-team" } });
  const { experimentRun: run } = await client.createExperimentRun({
    parent: experiment!.name,
    experimentRun: { displayName: "run-42", params: { learning_rate: { kind: { case: "doubleValue", value: 0.01 } } } },
  });
  await client.logExperimentRunMetrics({
    name: run!.name,
    metrics: [0, 1, 2, 3, 4].map((step) => ({ key: "loss", value: 1 / (step + 1), step: BigInt(step) })),
  });
  await client.updateModelVersion({
    modelVersion: {
      name: version,
      source: {
        experimentRun: run!.name,
        codeCommit: "4f2a9c1",
        datasets: [{ name: "fraud-events", uri: "s3://data/fraud/2025-q4/", context: "training" }],
      },
    },
    updateMask: { paths: ["source"] },
  });
  const { servingEnvironment: env } = await client.createServingEnvironment({ servingEnvironment: { displayName: "prod-cluster" } });
  await client.createInferenceService({
    parent: env!.name,
    inferenceService: { displayName: "fraud-api", registeredModel: model, alias: "production", runtime: "kserve", desiredState: 1 },
  });
}
