import type { Metric, Registry } from "prom-client";

/** One label set's figures: plain numbers, bumped on the hot path and read on scrape. */
export interface CallSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** Calls finished (the counter). */
  calls: number;
  /** Latency observations (the histogram): per-bucket counts, not cumulative; the last slot is above every bound. */
  readonly buckets: number[];
  observed: number;
  sum: number;
}

export interface CallFamilyOptions {
  registry: Registry;
  counter: { name: string; help: string };
  histogram: { name: string; help: string };
  /** Upper bounds of the histogram's buckets, ascending, in seconds. */
  bounds: readonly number[];
}

/**
 * A counter and a latency histogram over the same label sets (RPCs, REST requests), exported
 * through the app's prom-client Registry like any other metric. prom-client's own Counter and
 * Histogram hash the label values on every inc() and observe(), about 2 µs a call with four
 * labels; here a call increments a few numbers of a series the caller looked up once, and the
 * text is built on scrape.
 */
export class CallFamily {
  private readonly all: CallSeries[] = [];

  constructor(private readonly options: CallFamilyOptions) {
    const { registry, counter, histogram } = options;
    const reset = () => {
      for (const s of this.all) Object.assign(s, { calls: 0, observed: 0, sum: 0 }).buckets.fill(0);
    };
    // Objects of the shape the Registry reads (name, help, type, get, reset): prom-client's
    // Metric classes offer no way to report totals counted elsewhere. Its typings cannot describe
    // such an object (Metric is the union of its four classes, and MetricObject.type a numeric
    // enum where the Registry reads the string): the one double cast the ratchet keeps.
    const view = (name: string, help: string, type: "counter" | "histogram", values: () => unknown[]) =>
      ({
        name,
        help,
        type,
        aggregator: "sum",
        get: async () => ({ name, help, type, aggregator: "sum", values: values() }),
        reset,
      }) as unknown as Metric;
    registry.registerMetric(view(counter.name, counter.help, "counter", () => this.all.map((s) => ({ labels: s.labels, value: s.calls }))));
    registry.registerMetric(view(histogram.name, histogram.help, "histogram", () => this.histogramValues()));
  }

  /** A new series; the caller keeps it (one per label set: the labels are not checked for duplicates). */
  series(labels: Record<string, string>): CallSeries {
    const series: CallSeries = { labels, calls: 0, buckets: new Array<number>(this.options.bounds.length + 1).fill(0), observed: 0, sum: 0 };
    this.all.push(series);
    return series;
  }

  /** Counts a call; with seconds, also observes its latency. */
  record(series: CallSeries, seconds?: number): void {
    series.calls++;
    if (seconds === undefined) return;
    const { bounds } = this.options;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    series.buckets[i]!++;
    series.observed++;
    series.sum += seconds;
  }

  private histogramValues(): unknown[] {
    const { name } = this.options.histogram;
    const values: unknown[] = [];
    for (const s of this.all) {
      if (s.observed === 0) continue;
      let cumulative = 0;
      this.options.bounds.forEach((bound, i) => {
        cumulative += s.buckets[i]!;
        values.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le: bound }, value: cumulative });
      });
      values.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le: "+Inf" }, value: s.observed });
      values.push({ metricName: `${name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${name}_count`, labels: s.labels, value: s.observed });
    }
    return values;
  }
}
