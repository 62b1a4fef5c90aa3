/**
 * The pieces of the fuzz runs (fuzz.test.ts over RPCs, rest-fuzz.test.ts over REST): a seeded
 * generator, a time budget, hostile strings and mutators of text and JSON. FUZZ_BUDGET_MS and
 * FUZZ_SEED override the defaults (1500 ms per target, seed 20261125).
 */

export const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 1500);
export const SEED = Number(process.env.FUZZ_SEED ?? 20261125);

/** mulberry32: small, fast, deterministic. */
export function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}
export type Rng = ReturnType<typeof random>;

/** Runs body until the budget is spent; returns how many rounds ran. */
export function forBudget(body: (round: number) => void): number {
  const end = performance.now() + BUDGET_MS;
  let round = 0;
  while (performance.now() < end) body(round++);
  return round;
}

export async function forBudgetAsync(body: (round: number) => Promise<void>): Promise<number> {
  const end = performance.now() + BUDGET_MS;
  let round = 0;
  while (performance.now() < end) await body(round++);
  return round;
}

export const HOSTILE = [
  "'; DROP TABLE registered_models; --",
  "' OR '1'='1",
  "\\",
  "%_",
  "🤖",
  "\uFFFD",
  "\u202E",
  "a".repeat(300),
  "",
  " ",
  "NULL",
  "null",
  "${x}",
  "$1",
  "`",
  '"',
  "\n",
  "-1",
  "9223372036854775808",
  "1e309",
  "registeredModels/-",
  "registeredModels/0",
  "registeredModels/1/versions/@production",
  "..",
];

/** Inserts, deletes and replaces characters. */
export function mutateText(rng: Rng, text: string): string {
  const chars = [...text];
  const soup = ["(", ")", "'", '"', "`", "\\", " ", "=", ".", ",", "\u0000", "\uD800", "é", "AND", "NOT", "*", "-", "\t"];
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const at = rng.int(chars.length + 1);
    const what = rng.int(3);
    if (what === 0) chars.splice(at, 0, rng.pick(soup));
    else if (what === 1) chars.splice(at, 1);
    else chars[at] = rng.pick(soup);
  }
  return chars.join("");
}

/** A JSON value with a random leaf replaced, a key renamed, or a type changed. */
export function mutateJson(rng: Rng, value: unknown, depth = 0): unknown {
  if (depth > 6) return value;
  if (Array.isArray(value)) return value.map((v) => (rng.next() < 0.5 ? mutateJson(rng, v, depth + 1) : v));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = rng.next() < 0.05 ? rng.pick(HOSTILE) : k;
      out[key] = rng.next() < 0.6 ? mutateJson(rng, v, depth + 1) : v;
    }
    return out;
  }
  const r = rng.int(8);
  if (r === 0) return rng.pick(HOSTILE);
  if (r === 1) return rng.int(2 ** 31) - 2 ** 30;
  if (r === 2) return null;
  if (r === 3) return [value];
  if (r === 4) return { v: value };
  if (r === 5 && typeof value === "string") return mutateText(rng, value);
  return value;
}
