import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { modelNameLookup } from "../../api/shared/auth-interceptor.js";
import { createAuthenticator } from "../../auth/authenticator.js";
import { createCallGuard } from "../../auth/call-guard.js";
import { DEFAULT_PROTECTED_ALIASES } from "../../auth/permissions.js";
import { createLogger } from "../../logger.js";
import { Registry } from "../../registry/shared/registry.js";
import { createKubeflowRestHandler } from "../../rest/routes.js";
import { openStore } from "../../store/kysely/open-store.js";
import { type KubeflowApi, socketKubeflowApi } from "./api-client.js";

export interface LocalGateway {
  api: KubeflowApi;
  close(): Promise<void>;
}

/**
 * The target registry's own Kubeflow REST gateway, over the database, served on a Unix socket in
 * a private temporary folder: the import writes through exactly the use cases a Kubeflow client
 * of the target would (custom properties, external ids and Kubeflow-only fields included), and
 * no other process can reach the socket. Authentication is off; events name `actor`.
 */
export async function openLocalGateway(database: string, actor: string): Promise<LocalGateway> {
  const logger = createLogger("warn");
  const store = await openStore({ database, poolSize: 2 });
  const registry = new Registry(store);
  const guard = createCallGuard({
    authenticator: createAuthenticator({}, logger),
    policy: { protectedAliases: new Set(DEFAULT_PROTECTED_ALIASES) },
    lookup: modelNameLookup(registry),
  });
  const rest = createKubeflowRestHandler({ registry, guard, logger, health: async () => "SERVING" });
  const dir = mkdtempSync(join(tmpdir(), "model-registry-import-"));
  const socketPath = join(dir, "gateway.sock");
  const server = http.createServer((req, res) => {
    if (!rest(req, res, {})) {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, resolve);
  });
  return {
    api: socketKubeflowApi(socketPath, actor),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
      await store.close();
    },
  };
}
