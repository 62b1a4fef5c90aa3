/**
 * The filter language's syntax tree, shared by every list and by watch. The parser resolves
 * field names against a resource's allow-list (FilterSchema), so the tree only holds fields
 * that exist; compilers turn it into parameterised SQL (store) or evaluate it in memory (watch).
 */

export type CmpOp = "=" | "!=" | "<" | "<=" | ">" | ">=" | "LIKE" | "ILIKE";

/** The type of a built-in attribute, which decides how literals are coerced. */
export type AttrType = "string" | "int" | "time" | "enum";

/** The value type a custom property reference is restricted to (`.double_value` and so on). */
export type PropertyValueType = "string" | "int" | "double" | "bool";

export type FieldRef =
  /** A built-in attribute of the resource, by its canonical name (see FilterSchema). */
  | { kind: "attr"; name: string; type: AttrType }
  /** labels.<key> */
  | { kind: "label"; key: string }
  /** custom_properties.<key>, a bare <key>, or `quoted.key`, optionally typed. */
  | { kind: "property"; key: string; valueType: PropertyValueType | null };

export type Literal =
  | { kind: "string"; value: string }
  | { kind: "int"; value: bigint }
  | { kind: "double"; value: number }
  | { kind: "bool"; value: boolean };

export type FilterExpr =
  | { kind: "and"; items: FilterExpr[] }
  | { kind: "or"; items: FilterExpr[] }
  | { kind: "not"; expr: FilterExpr }
  | { kind: "cmp"; field: FieldRef; op: CmpOp; value: Literal }
  | { kind: "in"; field: FieldRef; values: Literal[] }
  | { kind: "null"; field: FieldRef; negated: boolean };

/**
 * The attributes one resource allows in filters, by every name they may be spelled with. An
 * attribute marked `related` is held in another table (a version's aliases): comparing it costs
 * a subquery, so it counts against FilterLimits.maxPropertyComparisons like a custom property.
 */
export interface FilterSchema {
  /** name as written (lower case) -> canonical attribute name and type. */
  attributes: Record<string, { name: string; type: AttrType; values?: readonly string[]; related?: boolean }>;
  /** Whether labels.<key> is allowed. */
  labels: boolean;
  /**
   * Names refused with a reason (lower case -> why), where a schema drops an attribute its
   * resource has elsewhere: without this, the bare name would read as a custom property and
   * silently match nothing. `custom_properties.<name>` still names the property.
   */
  unsupported?: Record<string, string>;
}
