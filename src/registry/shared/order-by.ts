import type { SortKey } from "../ports/store.js";
import { InvalidArgumentError } from "../core/errors.js";

/**
 * Parses an AIP-132 order_by: `field [asc|desc], …`. Fields are the resource's sortable
 * attributes (by any of their spellings) or `custom_properties.<key>` (backticks quote keys
 * with dots). Unknown fields are INVALID_ARGUMENT, never ignored.
 */
export function parseOrderBy(orderBy: string, columns: Record<string, string>): SortKey[] {
  const text = orderBy.trim();
  if (text === "") return [];
  if (text.length > 1024) throw InvalidArgumentError.field("order_by", "is longer than 1024 characters", "INVALID_ORDER_BY");
  const keys: SortKey[] = [];
  for (const raw of splitTerms(text)) {
    const m = /^(.+?)(?:\s+(asc|desc))?$/i.exec(raw.trim());
    const field = m?.[1]?.trim() ?? "";
    const desc = m?.[2]?.toLowerCase() === "desc";
    const column = columns[field.toLowerCase()];
    if (column) {
      keys.push({ kind: "column", column, desc });
      continue;
    }
    const prop = /^custom_properties\.(?:`([^`]+)`|([^\s`]+))$/.exec(field);
    const key = prop?.[1] ?? prop?.[2];
    if (!key) {
      const known = [...new Set(Object.keys(columns))].join(", ");
      throw InvalidArgumentError.field("order_by", `cannot order by "${field}"; use one of ${known} or custom_properties.<key>`, "INVALID_ORDER_BY");
    }
    keys.push({ kind: "property", key, desc });
  }
  if (keys.length > 8) throw InvalidArgumentError.field("order_by", "has more than 8 fields", "INVALID_ORDER_BY");
  return keys;
}

/** Splits on commas outside backticks. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of text) {
    if (ch === "`") quoted = !quoted;
    if (ch === "," && !quoted) {
      out.push(current);
      current = "";
    } else current += ch;
  }
  out.push(current);
  if (out.some((t) => t.trim() === "")) throw InvalidArgumentError.field("order_by", "has an empty field", "INVALID_ORDER_BY");
  return out;
}
