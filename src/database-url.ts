/**
 * Which engine a `--database` URL names. A `postgres://` or `postgresql://` URL is Postgres;
 * `sqlite:PATH`, `sqlite://PATH`, `:memory:` and a plain path are SQLite. Any other
 * `scheme://` is refused: without this check `mysql://x` named a new SQLite file `./mysql:/x`
 * and the server started on an empty database. Dependency-free: the config parser loads it (main.ts
 * stays free of store code), and the store opens databases by it.
 */
export type DatabaseEngine = "postgres" | "sqlite";

/** The URL forms the server takes, as the refusal lists them. */
export const SUPPORTED_DATABASE_URLS = "sqlite:PATH, a plain file path, :memory:, or postgres://USER@HOST:5432/DB (postgresql:// too)";

/** Thrown for a URL whose scheme no engine serves. */
export class UnsupportedDatabaseError extends Error {
  override name = "UnsupportedDatabaseError";
}

export function databaseEngine(url: string): DatabaseEngine {
  if (/^postgres(ql)?:\/\//i.test(url)) return "postgres";
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
  if (scheme !== undefined && scheme.toLowerCase() !== "sqlite") {
    throw new UnsupportedDatabaseError(`unsupported database "${scheme}://…": use ${SUPPORTED_DATABASE_URLS}`);
  }
  return "sqlite";
}
