import { Counter, Histogram, type MetricObjectWithValues, type MetricValueWithName, type Registry } from "prom-client";

declare module "prom-client" {
  interface Histogram<T extends string = string> {
    /** What the Registry reads of a histogram for the text format (prom-client's typings omit it); get() reads it too. */
    getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<T>>>;
  }
}

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
    const { registry, counter, histogram, bounds } = options;
    const reset = () => {
      for (const s of this.all) Object.assign(s, { calls: 0, observed: 0, sum: 0 }).buckets.fill(0);
    };
    // prom-client's metrics report what they counted themselves; these two report the series'
    // figures instead, keeping what their own get() says of the metric (name, help, type).
    const family = this;
    registry.registerMetric(
      new (class extends Counter {
        override async get() {
          return { ...(await super.get()), values: family.all.map((s) => ({ labels: s.labels, value: s.calls })) };
        }
        override reset() {
          super.reset();
          reset();
        }
      })({ name: counter.name, help: counter.help, registers: [] }),
    );
    registry.registerMetric(
      new (class extends Histogram {
        override async getForPromString() {
          return { ...(await super.getForPromString()), values: family.histogramValues() };
        }
        override reset() {
          super.reset();
          reset();
        }
      })({ name: histogram.name, help: histogram.help, buckets: [...bounds], registers: [] }),
    );
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

  private histogramValues(): Array<{ metricName: string; labels: Record<string, string | number>; value: number }> {
    const { name } = this.options.histogram;
    const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
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
