import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { KyselyRegistryStore } from "../src/store/kysely/kysely-store.js";
import { migrateToLatest } from "../src/store/kysely/migrate.js";
import { MIGRATIONS } from "../src/store/kysely/migrations/index.js";
import { createSqliteDialect } from "../src/store/kysely/sqlite.js";
import { Registry, unitOf } from "../src/registry/shared/registry.js";
import type { Properties, RegisteredModel } from "../src/registry/core/types.js";
import { insertModel } from "../src/registry/models/models.js";
import { insertVersion } from "../src/registry/versions/versions.js";

/** Where seeded databases are cached between runs (git-ignored). */
export const CACHE_DIR = join(dirname(fileURLToPath(import.meta.url)), ".cache");

/** Versions per model: every size keeps models the same size, so only the total grows. */
export const VERSIONS_PER_MODEL = 1000;
/** The first version's create_time; each next version is 1 ms later (distinct, ordered times). */
export const BASE_TIME = Date.UTC(2025, 0, 1);
const FRAMEWORKS = ["pytorch", "tensorflow", "xgboost", "sklearn"];
/** Versions per write transaction: the events insert of one flush stays under SQLite's parameter limit. */
const BATCH = 2500;

export interface SeedInfo {
  path: string;
  versions: number;
  models: number;
  /** Whether the database was created now (false: taken from the cache). */
  created: boolean;
  seconds: number;
}

/** A deterministic pseudo-random number in [0, 1) for version j and a salt. */
export function noise(j: number, salt: number): number {
  let x = (j + 1) * 2654435761 + salt * 40503;
  x = Math.imul(x ^ (x >>> 15), 2246822507);
  x = Math.imul(x ^ (x >>> 13), 3266489909);
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}

/** The custom properties of the j-th seeded version: two metrics, an int, two strings. */
export function seedProperties(j: number): Properties {
  return {
    accuracy: { type: "double", value: 0.5 + noise(j, 1) / 2 },
    f1_score: { type: "double", value: 0.4 + noise(j, 2) / 2 },
    epochs: { type: "int", value: BigInt(1 + Math.floor(noise(j, 3) * 100)) },
    framework: { type: "string", value: FRAMEWORKS[j % FRAMEWORKS.length]! },
    dataset: { type: "string", value: `dataset-${j % 97}` },
  };
}

/** Cache key: the seed's own source and the migrations it runs, so a change reseeds. */
function cacheKey(): string {
  const hash = createHash("sha256");
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  hash.update(Object.keys(MIGRATIONS).join(","));
  return hash.digest("hex").slice(0, 10);
}

/**
 * The path of the cached database of n versions (seeded now when missing), VERSIONS_PER_MODEL to a
 * model unless `perModel` says otherwise (the web UI's goal wants many models: 10 versions each).
 */
export async function seededDatabase(versions: number, log: (line: string) => void = () => {}, perModel = VERSIONS_PER_MODEL): Promise<SeedInfo> {
  const models = Math.max(1, Math.ceil(versions / perModel));
  const key = cacheKey();
  const path = join(CACHE_DIR, `registry-${versions}${perModel === VERSIONS_PER_MODEL ? "" : `-per${perModel}`}-${key}.db`);
  if (existsSync(path)) return { path, versions, models, created: false, seconds: 0 };
  mkdirSync(CACHE_DIR, { recursive: true });
  // Databases seeded by another version of the seed or the schema are stale (and big).
  for (const file of readdirSync(CACHE_DIR)) {
    const m = /^registry-(\d+)-([0-9a-f]+)\.db/.exec(file);
    if (m && m[1] === String(versions) && m[2] !== key) rmSync(join(CACHE_DIR, file), { force: true });
  }
  const started = performance.now();
  const tmp = `${path}.seeding`;
  for (const suffix of ["", "-wal", "-shm"]) rmSync(tmp + suffix, { force: true });
  await seed(tmp, versions, models, log);
  renameSync(tmp, path);
  const seconds = (performance.now() - started) / 1000;
  log(`seeded ${versions} versions in ${seconds.toFixed(1)} s -> ${path}`);
  return { path, versions, models, created: true, seconds };
}

/**
 * Writes through the registry itself (insertModel / insertVersion inside registry.write), so the
 * rows, property rows and events are exactly what the server writes; big transactions keep it fast.
 */
async function seed(path: string, versions: number, models: number, log: (line: string) => void): Promise<void> {
  const dialect = createSqliteDialect({ path });
  // A big page cache, and no fsync: the random-order property indexes of a million versions
  // thrash the default 2 MiB cache, and a seed that dies half-way is simply made again.
  await sql`pragma cache_size = -1048576`.execute(dialect.db);
  await sql`pragma synchronous = OFF`.execute(dialect.db);
  await migrateToLatest(dialect.db);
  const store = await KyselyRegistryStore.open(dialect);
  let tick = 0;
  const registry = new Registry(store, { now: () => new Date(BASE_TIME + tick++) });
  const ctx = { actor: "bench-seed" };
  try {
    const all: RegisteredModel[] = [];
    for (let first = 0; first < models; first += BATCH) {
      await unitOf(registry).write(async (w) => {
        for (let m = first; m < Math.min(models, first + BATCH); m++) {
          all.push(
            await insertModel(
              registry,
              w,
              {
                displayName: `bench-model-${m}`,
                description: "seeded by the benchmark",
                owner: `team-${m % 10}`,
                state: undefined,
                labels: { team: `team-${m % 10}` },
                customProperties: { task: { type: "string", value: "classification" } },
                readme: "",
              },
              ctx,
            ),
          );
        }
      });
    }
    let lastLog = performance.now();
    for (let start = 0; start < versions; start += BATCH) {
      const end = Math.min(versions, start + BATCH);
      await unitOf(registry).write(async (w) => {
        for (let j = start; j < end; j++) {
          // Versions of all models interleave in time, as in a registry many pipelines write to.
          const model = all[j % models]!;
          await insertVersion(
            registry,
            w,
            model,
            {
              version: `v${Math.floor(j / models) + 1}`,
              description: `run ${j} of ${model.displayName}`,
              author: `pipeline-${j % 13}@example.com`,
              state: undefined,
              customProperties: seedProperties(j),
            },
            ctx,
          );
        }
      });
      if (performance.now() - lastLog > 5000) {
        log(`  seeding: ${end}/${versions} versions`);
        lastLog = performance.now();
      }
    }
  } finally {
    await store.close();
  }
  // Fold the WAL into the file so the cached database is one file.
  const { default: SqliteDatabase } = await import("better-sqlite3");
  const db = new SqliteDatabase(path);
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

/** A version of a seeded database, addressed as the API names it. */
export interface VersionSample {
  modelId: number;
  versionId: number;
  name: string;
}

/** n versions picked at random (ids are dense), read straight from the file. */
export async function sampleVersions(path: string, n: number): Promise<VersionSample[]> {
  const { default: SqliteDatabase } = await import("better-sqlite3");
  const db = new SqliteDatabase(path, { readonly: true });
  try {
    const range = db.prepare("select min(id) as lo, max(id) as hi from model_versions").get() as { lo: number; hi: number };
    const byId = db.prepare("select model_id from model_versions where id = ?").pluck();
    const out: VersionSample[] = [];
    for (let i = 0; out.length < n && i < n * 10; i++) {
      const versionId = range.lo + Math.floor(noise(i, 7) * (range.hi - range.lo + 1));
      const modelId = byId.get(versionId) as number | undefined;
      if (modelId !== undefined) out.push({ modelId, versionId, name: `registeredModels/${modelId}/versions/${versionId}` });
    }
    return out;
  } finally {
    db.close();
  }
}
