/** The engines' integer representations: bigint (SQLite, safe integers on), string (pg int8) or number. */

/** Safe integer conversion for int8 columns: bigint (SQLite), string (pg) or number. */
export function toNumber(value: bigint | number | string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`integer out of range: ${value}`);
  return n;
}

/** Exact int64 conversion. */
export function toBigInt(value: bigint | number | string): bigint {
  return typeof value === "bigint" ? value : BigInt(value);
}

/** A time column (milliseconds since the epoch) as a Date. */
export const time = (v: bigint | number | string) => new Date(toNumber(v));
export const optionalTime = (v: bigint | number | string | null) => (v === null ? null : time(v));
export const optionalId = (v: bigint | number | string | null) => (v === null ? null : toNumber(v));
