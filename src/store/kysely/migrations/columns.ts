import type { ColumnDataType, ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from "kysely";

/**
 * Column and index steps the migrations share, for `createTable(…).$call(step)`. Migrations are
 * applied by name and never again, so what these add must never change: the schema they build is
 * pinned on both engines by test/store/migrated-schema.test.ts. A new need is a new helper.
 */

type TableBuilder = CreateTableBuilder<string, string>;

export const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

/** NOT NULL columns of one type, in the order given. */
export const required =
  (type: ColumnDataType, ...names: string[]) =>
  (table: TableBuilder): TableBuilder =>
    names.reduce((t, name) => t.addColumn(name, type, notNull), table);

/** What every resource table ends with: its create and update times (epoch millis) and its revision. */
export const stamps = required("bigint", "create_time", "update_time", "revision");

/** A typed value (custom properties, run parameters): its type, and one nullable column per kind. */
export const typedValue = (table: TableBuilder): TableBuilder =>
  table
    .addColumn("value_type", "text", notNull)
    .addColumn("string_value", "text")
    .addColumn("int_value", "bigint")
    .addColumn("number_value", "double precision")
    .addColumn("bool_value", "bigint")
    .addColumn("struct_value", "text");

/** A named index of a table over columns, in order. */
export async function createIndex(db: Kysely<unknown>, table: string, name: string, columns: string[]): Promise<void> {
  await db.schema.createIndex(name).on(table).columns(columns).execute();
}

/** The text columns of a model artifact, between its ids and its stamps (0001, and 0005's rebuild). */
export const MODEL_ARTIFACT_TEXT = [
  "display_name",
  "description",
  "uri",
  "model_format_name",
  "model_format_version",
  "storage_key",
  "storage_path",
  "service_account_name",
  "state",
  "digest",
] as const;
