// Wires the external-call processors into the SDK: sdk.ts calls these three and
// stays ignorant of the details. Order matters: classification and severity
// first (they write attributes), redaction last, then the batch exporter.

import type { MeterProvider } from '@opentelemetry/api';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { type Sampler, type SpanProcessor, createAlwaysRecordSampler } from '@opentelemetry/sdk-trace';
import { CallMetrics } from './call-metrics.js';
import { CallSpanProcessor } from './call-processor.js';
import { Classifier } from './classify.js';
import { Redactor } from './redact.js';
import { RedactingLogProcessor, RedactingSpanProcessor } from './redact-processors.js';
import type { SpansSettings } from './spans-config.js';

/** Span processors to put before the BatchSpanProcessor. */
export function callSpanProcessors(settings: SpansSettings, meterProvider: MeterProvider): SpanProcessor[] {
  const redactor = redactorFor(settings);
  return [new CallSpanProcessor(new Classifier(settings.rules), new CallMetrics(meterProvider), settings.slowMs), new RedactingSpanProcessor(redactor)];
}

/** Log record processors to put before the BatchLogRecordProcessor. */
export function callLogProcessors(settings: SpansSettings): LogRecordProcessor[] {
  return [new RedactingLogProcessor(redactorFor(settings))];
}

/**
 * Unsampled traces still get record-only spans, so call metrics count every call;
 * the BatchSpanProcessor exports only sampled spans, so what is exported is unchanged.
 */
export function recordEverything(sampler: Sampler): Sampler {
  return createAlwaysRecordSampler(sampler);
}

// One Redactor per settings object: span processors, the OTLP log processor and
// the stdout log lines (src/logs/redact-record.ts) share its compiled regex and key cache.
const redactors = new WeakMap<SpansSettings, Redactor>();
export function redactorFor(settings: SpansSettings): Redactor {
  let redactor = redactors.get(settings);
  if (!redactor) {
    redactor = new Redactor(settings.redactNames, settings.redactPatterns);
    redactors.set(settings, redactor);
  }
  return redactor;
}
