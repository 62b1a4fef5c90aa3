import type { VersionRef } from "../core/names.js";
import type { Registry } from "../shared/registry.js";
import type { MetadataValue, ModelVersion } from "../core/types.js";
import { LIMITS, Violations } from "../core/validate.js";
import { findVersion } from "../shared/find.js";
import { unitOf } from "../shared/registry.js";

/** At most this many versions per comparison: a screenful of columns, and a bounded read. */
export const MAX_COMPARED_VERSIONS = 50;
/** At most this many keys in each key list of a comparison (the per-resource property limit). */
export const MAX_COMPARED_KEYS = LIMITS.properties;

/** How a numeric key is ranked; NONE when it is not (no numeric value, or listed as unranked). */
export type MetricDirection = "HIGHER" | "LOWER" | "NONE";

export interface CompareInput {
  /** The versions, in column order; already parsed names. */
  refs: VersionRef[];
  /** Restricts and orders the rows; empty means every key of any version, sorted. */
  keys: string[];
  higherIsBetter: string[];
  lowerIsBetter: string[];
  unranked: string[];
}

/** One key across the versions. */
export interface ComparisonRow {
  key: string;
  /** One value per version, undefined where the version lacks the key. */
  values: Array<MetadataValue | undefined>;
  direction: MetricDirection;
  /** Indexes of the versions holding the best value (every one on a tie); empty when not ranked. */
  best: number[];
}

export interface Comparison {
  versions: ModelVersion[];
  rows: ComparisonRow[];
  /** The revision all versions were read at. */
  revision: number;
}

/**
 * Words that make a metric lower-is-better when its key contains them (`val_loss`, `error_rate`,
 * `p99_latency_ms`, `rmse`). Every other numeric key is taken as higher-is-better, which suits
 * the usual quality metrics (accuracy, precision, recall, f1, auc); the request's hint lists
 * override the guess.
 */
const LOWER_IS_BETTER_WORDS = ["loss", "error", "mse", "mae", "rmse", "latency"];

/** The direction a key gets when the request gives no hint for it. */
export function defaultDirection(key: string): "HIGHER" | "LOWER" {
  const lower = key.toLowerCase();
  return LOWER_IS_BETTER_WORDS.some((word) => lower.includes(word)) ? "LOWER" : "HIGHER";
}

/**
 * CompareModelVersions: reads N versions in one snapshot and lays their custom properties side by
 * side, one row per key, marking the best value of each numeric key. Only int and double values
 * are ranked; ints compare exactly with ints and numerically with doubles. A missing version is
 * NOT_FOUND (the comparison is all or nothing, so a typo is not silently dropped).
 */
export async function compareVersions(registry: Registry, input: CompareInput): Promise<Comparison> {
  validate(input);
  const hints = new Map<string, MetricDirection>();
  for (const key of input.higherIsBetter) hints.set(key, "HIGHER");
  for (const key of input.lowerIsBetter) hints.set(key, "LOWER");
  for (const key of input.unranked) hints.set(key, "NONE");

  const { versions, revision } = await unitOf(registry).read(async (r) => {
    const versions: ModelVersion[] = [];
    for (const ref of input.refs) versions.push(await findVersion(r, ref));
    return { versions, revision: await r.revision() };
  });

  const keys = input.keys.length > 0 ? input.keys : [...new Set(versions.flatMap((v) => Object.keys(v.customProperties)))].sort();
  const rows = keys.map((key): ComparisonRow => {
    const values = versions.map((v) => (Object.hasOwn(v.customProperties, key) ? v.customProperties[key] : undefined));
    const numeric = values.some((v) => v?.type === "int" || v?.type === "double");
    const direction = numeric ? (hints.get(key) ?? defaultDirection(key)) : "NONE";
    return { key, values, direction, best: direction === "NONE" ? [] : bestIndexes(values, direction) };
  });
  return { versions, rows, revision };
}

function validate(input: CompareInput): void {
  const v = new Violations();
  if (input.refs.length === 0) v.add("names", "name at least one version");
  if (input.refs.length > MAX_COMPARED_VERSIONS) v.add("names", `at most ${MAX_COMPARED_VERSIONS} versions per comparison`);
  const lists = { keys: input.keys, higher_is_better: input.higherIsBetter, lower_is_better: input.lowerIsBetter, unranked: input.unranked };
  for (const [field, keys] of Object.entries(lists)) {
    if (keys.length > MAX_COMPARED_KEYS) v.add(field, `at most ${MAX_COMPARED_KEYS} keys`);
    keys.forEach((key, i) => {
      if (key === "" || key.length > LIMITS.propertyKey) v.add(`${field}[${i}]`, `keys are 1 to ${LIMITS.propertyKey} characters`);
    });
  }
  if (new Set(input.keys).size !== input.keys.length) v.add("keys", "lists a key twice");
  const hinted = new Map<string, string>();
  for (const field of ["higher_is_better", "lower_is_better", "unranked"] as const) {
    for (const key of lists[field]) {
      const other = hinted.get(key);
      if (other !== undefined && other !== field) v.add(field, `"${key}" is also in ${other}`);
      hinted.set(key, field);
    }
  }
  v.throwIfAny();
}

/** Indexes of the best numeric values; non-numeric and missing cells never win. */
function bestIndexes(values: Array<MetadataValue | undefined>, direction: "HIGHER" | "LOWER"): number[] {
  let best: number[] = [];
  let bestValue: bigint | number | undefined;
  values.forEach((value, i) => {
    if (value?.type !== "int" && value?.type !== "double") return;
    const order = bestValue === undefined ? 1 : compareNumbers(value.value, bestValue) * (direction === "HIGHER" ? 1 : -1);
    if (order > 0) {
      best = [i];
      bestValue = value.value;
    } else if (order === 0) best.push(i);
  });
  return best;
}

/** Exact for two int64s, numeric otherwise. */
function compareNumbers(a: bigint | number, b: bigint | number): number {
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
