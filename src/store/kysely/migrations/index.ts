import type { Migration, MigrationProvider } from "kysely";
import { migration0001Init } from "./0001-init.js";
import { migration0002Watch } from "./0002-watch.js";
import { migration0003Lifecycle } from "./0003-lifecycle.js";
import { migration0004RestArtifacts } from "./0004-rest-artifacts.js";
import { migration0005StandaloneArtifacts } from "./0005-standalone-artifacts.js";
import { migration0006ImportProgress } from "./0006-import-progress.js";
import { migration0007Webhooks } from "./0007-webhooks.js";
import { migration0008WebhookDeliveryKinds } from "./0008-webhook-delivery-kinds.js";

/** Every migration, in order. A static list: file scanning breaks under bundlers and vitest. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "0001-init": migration0001Init,
  "0002-watch": migration0002Watch,
  "0003-lifecycle": migration0003Lifecycle,
  "0004-rest-artifacts": migration0004RestArtifacts,
  "0005-standalone-artifacts": migration0005StandaloneArtifacts,
  "0006-import-progress": migration0006ImportProgress,
  "0007-webhooks": migration0007Webhooks,
  "0008-webhook-delivery-kinds": migration0008WebhookDeliveryKinds,
};

/** Kysely MigrationProvider over MIGRATIONS. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};
