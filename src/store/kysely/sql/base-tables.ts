import type { ColumnType } from "kysely";

/**
 * Integer columns as the drivers return them: better-sqlite3 (safe integers on) gives bigint,
 * pg gives int8 as string. The row mappers normalise them (integers.ts); writes accept number or bigint.
 */
export type Int = ColumnType<bigint | number | string, number | bigint, number | bigint>;
export type NullableInt = ColumnType<bigint | number | string | null, number | bigint | null, number | bigint | null>;

/** The single counter row: revision allocation serialises writers (commit order = revision order). */
export interface MetaTable {
  id: Int;
  revision: Int;
  last_id: Int;
  /** Events with revision <= this were compacted away. */
  compacted_revision: Int;
  /** Random key that signs page tokens, shared by every replica on this database. */
  token_key: string;
}

/** Labels of any resource (ids are global, so one table serves every kind). */
export interface LabelsTable {
  resource_id: Int;
  key: string;
  value: string;
}

/**
 * Typed custom properties of any resource, one row per key so that filters and orderings on a
 * property are index range scans. number_value holds int and double values alike (for numeric
 * comparison across both); int_value keeps int64 exactly.
 */
export interface PropertiesTable {
  resource_id: Int;
  key: string;
  value_type: string;
  string_value: string | null;
  int_value: NullableInt;
  number_value: number | null;
  bool_value: NullableInt;
  struct_value: string | null;
}

/** The tables every resource uses: the counters, and the labels and custom properties of any resource. */
export interface BaseTables {
  meta: MetaTable;
  labels: LabelsTable;
  properties: PropertiesTable;
}
