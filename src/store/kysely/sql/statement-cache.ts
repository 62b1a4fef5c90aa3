import type BetterSqlite3 from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/** How many distinct statements stay prepared (filters of many shapes must not grow it without bound). */
export const DEFAULT_STATEMENT_CACHE_SIZE = 1000;

/**
 * The better-sqlite3 database as Kysely's SqliteDialect sees it, with prepared statements cached
 * by SQL text. Kysely prepares every query anew, which costs more than running a point lookup;
 * its SQL text only depends on the query's shape (values are bound parameters), so the hot
 * queries hit the cache. Safe because Kysely runs one query at a time on the one connection.
 * Eviction is oldest-first once the cache is full.
 */
export function withStatementCache(database: BetterSqlite3.Database, size = DEFAULT_STATEMENT_CACHE_SIZE): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare(sql: string): SqliteStatement {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}
