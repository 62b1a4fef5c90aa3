import { type Kysely, sql } from "kysely";
import type pg from "pg";
import type { CallBounds } from "../../registry/ports/store.js";
import { refuseEnded } from "./sql/call-bounds.js";
import type { Database } from "./schema.js";

/**
 * Bounds Postgres reads by their calls (StoreDialect.bindRead). In the read's transaction, one
 * statement sets a local statement_timeout of the call's remaining time and reads the backend's
 * pid; when the call's signal aborts while the read runs, `pg_cancel_backend(pid)` goes out on
 * `cancels`, a pool of its own, so a cancel never waits behind the busy connections it is meant
 * to free. The transaction ends only after that cancel was answered: the connection cannot go
 * back to the pool, and serve another call, with a cancel still on its way to it.
 *
 * A deadline replaces the server's statement_timeout for the read's transaction (also a longer
 * one configured on the role or database).
 */
export function createReadBinder(cancels: pg.Pool) {
  return async (trx: Kysely<Database>, bounds: CallBounds): Promise<() => Promise<void>> => {
    const { signal, deadline } = bounds;
    if (!signal && deadline === undefined) return async () => {};
    refuseEnded(bounds, "read");
    const timeout = deadline === undefined ? null : String(Math.max(1, Math.ceil(deadline - Date.now())));
    const query =
      timeout === null
        ? sql<{ pid: number }>`select pg_backend_pid() as pid`
        : sql<{ pid: number }>`select pg_backend_pid() as pid, set_config('statement_timeout', ${timeout}, true)`;
    const { rows } = await query.execute(trx);
    const pid = rows[0]?.pid;
    if (!signal || pid === undefined) return async () => {};
    let cancelling: Promise<void> | undefined;
    const cancel = () => {
      cancelling ??= cancels.query("SELECT pg_cancel_backend($1)", [pid]).then(
        () => undefined,
        // The statement timeout still ends the query; a failed cancel only makes it later.
        () => undefined,
      );
    };
    signal.addEventListener("abort", cancel, { once: true });
    return async () => {
      signal.removeEventListener("abort", cancel);
      await cancelling;
    };
  };
}
