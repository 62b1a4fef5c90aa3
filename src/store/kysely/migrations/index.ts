import type { Migration, MigrationProvider } from "kysely";
import { migration0001Init } from "./0001-init.js";

/** Every migration, in order. A static list: file scanning breaks under bundlers and vitest. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "0001-init": migration0001Init,
};

/** Kysely MigrationProvider over MIGRATIONS. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};
