/** Small statistics and formatting helpers of the benchmark. */

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Percentile of sorted values (nearest rank). */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export const fmtRate = (n: number) => (Number.isFinite(n) ? `${Math.round(n).toLocaleString("en-US")}/s` : "–");
export const fmtMs = (n: number) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms` : "–");
export const fmtUs = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} µs` : "–");
export const fmtRatio = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : "–");
export const fmtMiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
