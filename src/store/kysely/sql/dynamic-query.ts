import type { ExpressionBuilder, SelectQueryBuilder } from "kysely";

/**
 * A database as code sees it that builds SQL from names known only at run time (the filter
 * compiler, the keyset paginator): tables by alias, columns by name, values of unknown type.
 * Every typed query of `Kysely<Database>` is assignable to a query over it, so a list's base
 * is built typed and handed over without a cast; the rows keep their type (ListSelect's Row).
 */
export type DynamicDatabase = Record<string, Record<string, unknown>>;

/** An expression builder over DynamicDatabase: `eb(sql.ref("t.state"), "=", value)`. */
export type DynamicExpressionBuilder = ExpressionBuilder<DynamicDatabase, string>;

/** A list's query as the paginator sees it: the listed table is `t`; a page's rows are Row. */
export type ListSelect<Row> = SelectQueryBuilder<DynamicDatabase, string, Row>;
