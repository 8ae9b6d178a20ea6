// callscope.external.duration: one histogram point per outbound call, with
// service, category, severity and error.type. Recorded from the span processor,
// which also sees record-only spans of unsampled traces (the sampler is wrapped
// to always record), so counts and error ratios are exact whatever the sampling.

import type { Attributes, Histogram, MeterProvider } from '@opentelemetry/api';
import { ATTR_CATEGORY, ATTR_SERVICE, type Classification } from './classify.js';
import { ATTR_SEVERITY, type Severity } from './severity.js';

export const METRIC_EXTERNAL_DURATION = 'callscope.external.duration';

// Seconds; from a cache hit (1 ms) to a long LLM generation (2 min).
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class CallMetrics {
  private readonly histogram: Histogram;

  constructor(meterProvider: MeterProvider) {
    this.histogram = meterProvider.getMeter('callscope').createHistogram(METRIC_EXTERNAL_DURATION, {
      description: 'Duration of outbound calls to external services',
      unit: 's',
      advice: { explicitBucketBoundaries: BUCKETS },
    });
  }

  record(seconds: number, call: Classification, severity: Severity, errorType: string | undefined): void {
    const attributes: Attributes = { [ATTR_SERVICE]: call.service, [ATTR_CATEGORY]: call.category, [ATTR_SEVERITY]: severity };
    if (errorType !== undefined) attributes['error.type'] = errorType;
    this.histogram.record(seconds, attributes);
  }
}
