import { type ExpressionBuilder, type Kysely, type Selectable, sql } from "kysely";
import type { AliasTables } from "../aliases/alias-tables.js";
import type { BaseTables } from "../sql/base-tables.js";
import { toNumber } from "../sql/integers.js";
import type { ModelTables } from "../models/model-tables.js";
import type { InferenceServicesTable, ServingTables } from "./serving-tables.js";
import type { VersionTables } from "../versions/version-tables.js";

/** What an inference service deploys: the version its spec selects, and the "deploys version V" condition. */

/** The tables the serving queries use (a service follows a version, an alias or the latest version of a model). */
export type ServingDb = BaseTables & ServingTables & AliasTables & VersionTables & ModelTables;

/** Conditions on the services table, listed as `t`. */
type ServicesEb = ExpressionBuilder<ServingDb & { t: InferenceServicesTable }, "t">;
export type ServiceRow = Selectable<InferenceServicesTable>;

/** The version each service's spec selects now: pinned (if it still exists), by alias, or latest. */
export async function targetVersions(db: Kysely<ServingDb>, rows: ServiceRow[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const pinned = rows.filter((r): r is ServiceRow & { version_id: NonNullable<ServiceRow["version_id"]> } => r.version_id !== null);
  const byAlias = rows.filter((r) => r.version_id === null && r.alias !== "");
  const byLatest = rows.filter((r) => r.version_id === null && r.alias === "");
  const modelIds = (list: ServiceRow[]) => [...new Set(list.map((r) => toNumber(r.model_id)))];
  const [existing, aliases, latest] = await Promise.all([
    pinned.length === 0
      ? []
      : db
          .selectFrom("model_versions")
          .select("id")
          .where(
            "id",
            "in",
            pinned.map((r) => toNumber(r.version_id)),
          )
          .execute(),
    byAlias.length === 0
      ? []
      : db
          .selectFrom("model_aliases")
          .select(["model_id", "alias", "version_id"])
          .where("model_id", "in", modelIds(byAlias))
          .where("alias", "in", [...new Set(byAlias.map((r) => r.alias))])
          .execute(),
    byLatest.length === 0 ? new Map<number, number>() : latestVersions(db, modelIds(byLatest)),
  ]);
  const present = new Set(existing.map((r) => toNumber(r.id)));
  for (const r of pinned) if (present.has(toNumber(r.version_id))) out.set(toNumber(r.id), toNumber(r.version_id));
  const aliasMap = new Map(aliases.map((a) => [`${toNumber(a.model_id)}/${a.alias}`, toNumber(a.version_id)]));
  for (const r of byAlias) {
    const v = aliasMap.get(`${toNumber(r.model_id)}/${r.alias}`);
    if (v !== undefined) out.set(toNumber(r.id), v);
  }
  for (const r of byLatest) {
    const v = latest.get(toNumber(r.model_id));
    if (v !== undefined) out.set(toNumber(r.id), v);
  }
  return out;
}

/** The newest LIVE version of each model, in one query. */
async function latestVersions(db: Kysely<ServingDb>, modelIds: number[]): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom("model_versions as v")
    .select(["v.model_id", "v.id"])
    .where("v.model_id", "in", modelIds)
    .where("v.state", "=", "LIVE")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("model_versions as w")
            .select(sql.lit(1).as("one"))
            .whereRef("w.model_id", "=", "v.model_id")
            .where("w.state", "=", "LIVE")
            .where((eb) =>
              eb.or([
                eb("w.create_time", ">", eb.ref("v.create_time")),
                eb.and([eb("w.create_time", "=", eb.ref("v.create_time")), eb("w.id", ">", eb.ref("v.id"))]),
              ]),
            ),
        ),
      ),
    )
    .execute();
  return new Map(rows.map((r) => [toNumber(r.model_id), toNumber(r.id)]));
}

/**
 * "The service deploys version V of model M": pinned to V, following an alias that points at V,
 * or following latest when V is the latest; or its controller reports serving V.
 */
export function deploys(eb: ServicesEb, d: { modelId: number; versionId: number; isLatest: boolean }) {
  const viaAlias = eb.exists(
    eb
      .selectFrom("model_aliases as a")
      .select(sql.lit(1).as("one"))
      .whereRef("a.model_id", "=", "t.model_id")
      .whereRef("a.alias", "=", "t.alias")
      .where("a.version_id", "=", d.versionId),
  );
  const targets = [eb("t.version_id", "=", d.versionId), eb.and([eb("t.version_id", "is", null), eb("t.alias", "<>", ""), viaAlias])];
  if (d.isLatest) targets.push(eb.and([eb("t.version_id", "is", null), eb("t.alias", "=", "")]));
  return eb.or([eb.and([eb("t.model_id", "=", d.modelId), eb.or(targets)]), eb("t.status_version_id", "=", d.versionId)]);
}
