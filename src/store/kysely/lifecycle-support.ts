import type { Kysely } from "kysely";
import type { Properties } from "../../registry/core/types.js";
import type { ListQuery } from "../../registry/ports/store.js";
import { toNumber } from "./dialect.js";
import type { ListSelect } from "./dynamic-query.js";
import type { FilterTarget } from "./filter-compiler.js";
import type { PageBase, PageResult } from "./page-query.js";
import { preparedIdsQuery, preparedQuery } from "./prepared-query.js";
import { propertyToRow, rowToProperty } from "./rows.js";
import type { Database } from "./schema.js";

/** Shared plumbing of the lifecycle, lineage and deployment queries. */

/** KyselyReader's keyset paginator, handed to the area query classes (one paginator for every list). */
export type Paginate = <Row>(
  base: ListSelect<Row> | PageBase<Row>,
  query: ListQuery,
  columns: Record<string, string>,
  related?: FilterTarget["related"],
) => Promise<PageResult<Row>>;

/** A list query for "all of them", oldest first (cascades and deletes). */
export const EVERYTHING: ListQuery = {
  filter: null,
  sort: [{ kind: "column", column: "create_time", desc: false }],
  after: null,
  limit: 1_000_000_000,
  withTotal: false,
};

export const time = (v: bigint | number | string) => new Date(toNumber(v));
export const optionalTime = (v: bigint | number | string | null) => (v === null ? null : time(v));
export const optionalId = (v: bigint | number | string | null) => (v === null ? null : toNumber(v));

// Metadata of one resource (every Get) and of a page of them (every List), compiled once.
const PROPERTIES_OF_ONE = preparedQuery((db: Kysely<Database>, id: number) =>
  db.selectFrom("properties").selectAll().where("resource_id", "=", id).orderBy("key"),
);
const PROPERTIES_OF_MANY = preparedIdsQuery((db: Kysely<Database>, ids: readonly number[]) =>
  db.selectFrom("properties").selectAll().where("resource_id", "in", ids).orderBy("key"),
);
const LABELS_OF_ONE = preparedQuery((db: Kysely<Database>, id: number) =>
  db.selectFrom("labels").selectAll().where("resource_id", "=", id).orderBy("key"),
);
const LABELS_OF_MANY = preparedIdsQuery((db: Kysely<Database>, ids: readonly number[]) =>
  db.selectFrom("labels").selectAll().where("resource_id", "in", ids).orderBy("key"),
);

/** Custom properties of many resources in one query (no N+1). */
export async function loadProperties(db: Kysely<Database>, ids: readonly number[]): Promise<Map<number, Properties>> {
  const out = new Map<number, Properties>();
  const rows = ids.length === 1 ? await PROPERTIES_OF_ONE(db, ids[0]!) : await PROPERTIES_OF_MANY(db, ids);
  for (const row of rows) {
    const id = toNumber(row.resource_id);
    let props = out.get(id);
    if (!props) {
      props = {};
      out.set(id, props);
    }
    props[row.key] = rowToProperty(row);
  }
  return out;
}

/** Labels of many resources in one query. */
export async function loadLabels(db: Kysely<Database>, ids: readonly number[]): Promise<Map<number, Record<string, string>>> {
  const out = new Map<number, Record<string, string>>();
  const rows = ids.length === 1 ? await LABELS_OF_ONE(db, ids[0]!) : await LABELS_OF_MANY(db, ids);
  for (const row of rows) {
    const id = toNumber(row.resource_id);
    let labels = out.get(id);
    if (!labels) {
      labels = {};
      out.set(id, labels);
    }
    labels[row.key] = row.value;
  }
  return out;
}

/** Replaces the custom properties and labels of one resource. */
export async function writeMetadata(
  db: Kysely<Database>,
  id: number,
  metadata: { customProperties: Properties; labels?: Record<string, string> },
): Promise<void> {
  await db.deleteFrom("properties").where("resource_id", "=", id).execute();
  const props = Object.entries(metadata.customProperties).map(([key, value]) => propertyToRow(id, key, value));
  if (props.length > 0) await db.insertInto("properties").values(props).execute();
  if (!metadata.labels) return;
  await db.deleteFrom("labels").where("resource_id", "=", id).execute();
  const labels = Object.entries(metadata.labels).map(([key, value]) => ({ resource_id: id, key, value }));
  if (labels.length > 0) await db.insertInto("labels").values(labels).execute();
}

/** Deletes the custom properties and labels of resources. */
export async function deleteMetadata(db: Kysely<Database>, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await db.deleteFrom("properties").where("resource_id", "in", chunk).execute();
    await db.deleteFrom("labels").where("resource_id", "in", chunk).execute();
  }
}
