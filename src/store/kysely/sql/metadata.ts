import type { Kysely, Selectable } from "kysely";
import type { JsonObject, MetadataValue, Properties } from "../../../registry/core/types.js";
import type { BaseTables, PropertiesTable } from "./base-tables.js";
import { toBigInt, toNumber } from "./integers.js";
import { preparedIdsQuery, preparedInsert, preparedQuery } from "./prepared-query.js";

/** Labels and custom properties of any resource (ids are global: one pair of tables serves every kind). */

export type PropertyRow = Selectable<PropertiesTable>;

export function propertyToRow(resourceId: number, key: string, value: MetadataValue) {
  const row = {
    resource_id: resourceId,
    key,
    value_type: value.type,
    string_value: null as string | null,
    int_value: null as bigint | null,
    number_value: null as number | null,
    bool_value: null as number | null,
    struct_value: null as string | null,
  };
  switch (value.type) {
    case "string":
      row.string_value = value.value;
      break;
    case "int":
      row.int_value = value.value;
      row.number_value = Number(value.value);
      break;
    case "double":
      row.number_value = value.value;
      break;
    case "bool":
      row.bool_value = value.value ? 1 : 0;
      break;
    case "struct":
      row.struct_value = JSON.stringify(value.value);
      break;
  }
  return row;
}

export function rowToProperty(row: PropertyRow): MetadataValue {
  switch (row.value_type) {
    case "string":
      return { type: "string", value: row.string_value ?? "" };
    case "int":
      return { type: "int", value: toBigInt(row.int_value ?? 0) };
    case "double":
      return { type: "double", value: Number(row.number_value) };
    case "bool":
      return { type: "bool", value: toNumber(row.bool_value ?? 0) !== 0 };
    case "struct":
      return { type: "struct", value: JSON.parse(row.struct_value ?? "{}") as JsonObject };
    default:
      throw new Error(`unknown property type in database: ${row.value_type}`);
  }
}

// Metadata of one resource (every Get) and of a page of them (every List), compiled once.
const PROPERTIES_OF_ONE = preparedQuery((db: Kysely<BaseTables>, id: number) =>
  db.selectFrom("properties").selectAll().where("resource_id", "=", id).orderBy("key"),
);
const PROPERTIES_OF_MANY = preparedIdsQuery((db: Kysely<BaseTables>, ids: readonly number[]) =>
  db.selectFrom("properties").selectAll().where("resource_id", "in", ids).orderBy("key"),
);
const LABELS_OF_ONE = preparedQuery((db: Kysely<BaseTables>, id: number) =>
  db.selectFrom("labels").selectAll().where("resource_id", "=", id).orderBy("key"),
);
const LABELS_OF_MANY = preparedIdsQuery((db: Kysely<BaseTables>, ids: readonly number[]) =>
  db.selectFrom("labels").selectAll().where("resource_id", "in", ids).orderBy("key"),
);
// The properties every registration inserts, compiled once (see prepared-query.ts).
const INSERT_PROPERTIES = preparedInsert<BaseTables, "properties">("properties");

/** Custom properties of many resources in one query (no N+1). */
export async function loadProperties(db: Kysely<BaseTables>, ids: readonly number[]): Promise<Map<number, Properties>> {
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
export async function loadLabels(db: Kysely<BaseTables>, ids: readonly number[]): Promise<Map<number, Record<string, string>>> {
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

/** Writes the custom properties of a resource (a prepared insert), first deleting the old ones when replace. */
export async function writeProperties(db: Kysely<BaseTables>, id: number, props: Properties, replace: boolean): Promise<void> {
  if (replace) await db.deleteFrom("properties").where("resource_id", "=", id).execute();
  const rows = Object.entries(props).map(([key, value]) => propertyToRow(id, key, value));
  await INSERT_PROPERTIES(db, rows);
}

/** Writes the labels of a resource, first deleting the old ones when replace. */
export async function writeLabels(db: Kysely<BaseTables>, id: number, labels: Record<string, string>, replace: boolean): Promise<void> {
  if (replace) await db.deleteFrom("labels").where("resource_id", "=", id).execute();
  const rows = Object.entries(labels).map(([key, value]) => ({ resource_id: id, key, value }));
  if (rows.length > 0) await db.insertInto("labels").values(rows).execute();
}

/** Replaces the custom properties and labels of one resource. */
export async function writeMetadata(
  db: Kysely<BaseTables>,
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
export async function deleteMetadata(db: Kysely<BaseTables>, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await db.deleteFrom("properties").where("resource_id", "in", chunk).execute();
    await db.deleteFrom("labels").where("resource_id", "in", chunk).execute();
  }
}
