/**
 * "Did you mean …?" for a misspelled name: the CLI's commands and flags, and the filter
 * language's built-in fields. Pure and dependency-free, so the CLI can load it on its error path
 * only.
 */

/** What a single edit costs; a swap of two neighbouring characters is one edit. */
export interface EditCosts {
  /** Replacing one character (default 1). */
  substitution?: number;
}

/**
 * The optimal-string-alignment distance of two strings, case-insensitive: insertions, deletions,
 * substitutions and swaps of adjacent characters (`modles` is one edit from `models`).
 */
export function editDistance(a: string, b: string, costs: EditCosts = {}): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const sub = costs.substitution ?? 1;
  // d[i][j]: distance between the first i characters of s and the first j of t.
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0]![j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const same = s[i - 1] === t[j - 1];
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (same ? 0 : sub));
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[s.length]![t.length]!;
}

/**
 * The candidate closest to `word` within `maxDistance` edits, or undefined when there is none or
 * two are equally close (a guess between two would mislead). An exact match is no suggestion.
 */
export function closestName(word: string, candidates: Iterable<string>, maxDistance: number, costs: EditCosts = {}): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let tie = false;
  for (const candidate of new Set(candidates)) {
    const distance = editDistance(word, candidate, costs);
    if (distance === 0 || distance > maxDistance) continue;
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance) {
      tie = true;
    }
  }
  return tie ? undefined : best;
}

/** A suggestion for a mistyped command or flag: one edit for short words, two from five characters. */
export function suggestName(word: string, candidates: Iterable<string>): string | undefined {
  return closestName(word, candidates, word.length < 5 ? 1 : 2);
}
