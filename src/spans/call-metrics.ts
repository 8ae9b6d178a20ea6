// callscope.external.duration: one histogram point per outbound call, with
// service, category, severity and error.type. Recorded from the span processor,
// which also sees record-only spans of unsampled traces (the sampler is wrapped
// to always record), so counts and error ratios are exact whatever the sampling.
//
// Why not a Histogram instrument: the metrics SDK hashes the attribute set of
// every record() (sorts the keys, JSON.stringify), which was the largest single
// cost of our span processors (bench/results/span-processors.md). Here a record
// is one string key, one Map lookup and one bucket increment; the aggregated
// series reach the exporter through the MetricReader's `metricProducers` hook,
// the spec'd way to add metrics that the SDK does not aggregate itself.

import { type Attributes, type HrTime, ValueType } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality, type CollectionResult, type DataPoint, DataPointType, type Histogram, type HistogramMetricData, type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { ATTR_CATEGORY, ATTR_SERVICE, type Classification } from './classify.js';
import { ATTR_SEVERITY, type Severity } from './severity.js';

export const METRIC_EXTERNAL_DURATION = 'callscope.external.duration';

// Seconds; from a cache hit (1 ms) to a long LLM generation (2 min).
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

// The SDK's default cardinality limit: beyond it, calls are counted in one
// series marked otel.metric.overflow=true (as the SDK does), never dropped.
const MAX_SERIES = 2000;
const OVERFLOW_KEY = '\u0000overflow';

class Series {
  readonly attributes: Attributes;
  startTime: HrTime;
  readonly counts = new Array<number>(BUCKETS.length + 1).fill(0);
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(attributes: Attributes, startTime: HrTime) {
    this.attributes = attributes;
    this.startTime = startTime;
  }

  add(duration: number): void {
    // A clock step backwards (or NaN) is still a call: counted, as zero seconds.
    const seconds = duration > 0 ? duration : 0;
    let bucket = 0;
    // Upper bounds are inclusive (OTLP explicit-bucket semantics).
    while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]!) bucket++;
    this.counts[bucket]!++;
    this.count++;
    this.sum += seconds;
    if (seconds < this.min) this.min = seconds;
    if (seconds > this.max) this.max = seconds;
  }

  point(endTime: HrTime): DataPoint<Histogram> {
    const value: Histogram = { buckets: { boundaries: BUCKETS, counts: [...this.counts] }, count: this.count, sum: this.sum, min: this.min, max: this.max };
    return { startTime: this.startTime, endTime, attributes: this.attributes, value };
  }
}

export class CallMetrics implements MetricProducer {
  private readonly series = new Map<string, Series>();
  /** Per classification object, per severity[+error.type]: the series, without building a key per call. */
  private byCall = new WeakMap<Classification, Map<string, Series>>();
  private temporality = AggregationTemporality.CUMULATIVE;
  private readonly now: () => HrTime;
  /** Start of the current delta period. */
  private lastCollect: HrTime;

  constructor(now: () => HrTime = hrTime) {
    this.now = now;
    this.lastCollect = now();
  }

  private startTime(): HrTime {
    return this.temporality === AggregationTemporality.DELTA ? this.lastCollect : this.now();
  }

  /** Delta or cumulative, as the reader's exporter prefers (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE). */
  setTemporality(temporality: AggregationTemporality): void {
    this.temporality = temporality;
  }

  record(seconds: number, call: Classification, severity: Severity, errorType: string | undefined): void {
    let perCall = this.byCall.get(call);
    if (perCall === undefined) {
      perCall = new Map();
      this.byCall.set(call, perCall);
    }
    const outcome = errorType === undefined ? severity : `${severity}\u0000${errorType}`;
    let series = perCall.get(outcome);
    if (series === undefined) {
      series = this.seriesFor(call, severity, errorType);
      perCall.set(outcome, series);
    }
    series.add(seconds);
  }

  /** The one series for these attributes (keyed by their values: two equal classifications share it). */
  private seriesFor(call: Classification, severity: Severity, errorType: string | undefined): Series {
    const key = `${call.service}\u0000${call.category}\u0000${severity}\u0000${errorType ?? ''}`;
    let series = this.series.get(key);
    if (series === undefined) {
      if (this.series.size < MAX_SERIES) {
        const attributes: Attributes = { [ATTR_SERVICE]: call.service, [ATTR_CATEGORY]: call.category, [ATTR_SEVERITY]: severity };
        if (errorType !== undefined) attributes['error.type'] = errorType;
        series = new Series(attributes, this.startTime());
        this.series.set(key, series);
      } else {
        series = this.series.get(OVERFLOW_KEY);
        if (series === undefined) {
          series = new Series({ 'otel.metric.overflow': true }, this.startTime());
          this.series.set(OVERFLOW_KEY, series);
        }
      }
    }
    return series;
  }

  async collect(): Promise<CollectionResult> {
    const endTime = this.now();
    const points: DataPoint<Histogram>[] = [];
    for (const series of this.series.values()) points.push(series.point(endTime));
    // Delta: each collection reports what happened since the last one, and a
    // series that saw no call is not reported (nor kept).
    if (this.temporality === AggregationTemporality.DELTA) {
      this.series.clear();
      this.byCall = new WeakMap();
      this.lastCollect = endTime;
    }
    const metrics: HistogramMetricData[] =
      points.length === 0
        ? []
        : [{
            descriptor: { name: METRIC_EXTERNAL_DURATION, description: 'Duration of outbound calls to external services', unit: 's', valueType: ValueType.DOUBLE },
            aggregationTemporality: this.temporality,
            dataPointType: DataPointType.HISTOGRAM,
            dataPoints: points,
          }];
    // The reader keeps its own resource; only the scope metrics are used.
    return { resourceMetrics: { resource: emptyResource(), scopeMetrics: metrics.length ? [{ scope: { name: 'callscope' }, metrics }] : [] }, errors: [] };
  }
}
