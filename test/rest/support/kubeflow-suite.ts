import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe } from "vitest";
import { SERVER_DIALECTS, type TestDialect } from "../../support/dialects.js";
import { startTestServer, type TestServer } from "../../support/server.js";
import { KubeflowApi } from "./kubeflow-api.js";

/** What a Kubeflow REST suite works with: a server of its own on one engine, and a REST client of it. */
export interface KubeflowSuite {
  readonly dialect: TestDialect;
  /** The running server (available inside tests and hooks, not while the suite is being defined). */
  readonly server: TestServer;
  /** The OpenAPI-checked REST client, sending `headers` on every call. */
  readonly api: KubeflowApi;
  /** A name no other test of the run uses: `name-` and six hex digits. */
  unique(name: string): string;
}

/**
 * The Kubeflow REST suites' one fixture: `describe`s `title` once per engine the API suites run on
 * (skipped where the engine is not available), with a server started before its tests and closed
 * after them.
 */
export function describeKubeflow(title: string, body: (suite: KubeflowSuite) => void, options: { headers?: Record<string, string> } = {}): void {
  for (const dialect of SERVER_DIALECTS) {
    describe.runIf(dialect.enabled)(`[${dialect.name}] ${title}`, () => {
      let running: TestServer | undefined;
      beforeAll(async () => {
        running = await startTestServer(dialect);
      });
      afterAll(() => running?.close());
      const server = (): TestServer => {
        if (!running) throw new Error("the suite's server is not running yet: use it inside a test or hook");
        return running;
      };
      body({
        dialect,
        get server() {
          return server();
        },
        api: new KubeflowApi(() => server().url, options.headers),
        unique: (name) => `${name}-${randomBytes(3).toString("hex")}`,
      });
    });
  }
}
