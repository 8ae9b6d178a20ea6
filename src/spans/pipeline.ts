// Wires the external-call processing into the SDK: sdk.ts calls these three and
// stays ignorant of the details. The call processor classifies, judges severity,
// counts and redacts, in that order (redaction last: it must see every attribute
// written); the batch exporter comes after it.

import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { type Attributes, type Context, type Link, SpanKind } from '@opentelemetry/api';
import { type Sampler, type SamplingResult, SamplingDecision, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { CallMetrics } from './call-metrics.js';
import { CallSpanProcessor } from './call-processor.js';
import { Classifier } from './classify.js';
import { Redactor } from './redact.js';
import { RedactingLogProcessor } from './redact-processors.js';
import type { SpansSettings } from './spans-config.js';

/**
 * Span processors to put before the BatchSpanProcessor. `metrics` must be one of
 * the metric reader's `metricProducers`, or the call metrics go nowhere.
 */
export function callSpanProcessors(settings: SpansSettings, metrics: CallMetrics): SpanProcessor[] {
  return [new CallSpanProcessor(new Classifier(settings.rules), metrics, settings.slowMs, redactorFor(settings))];
}

/** Log record processors to put before the BatchLogRecordProcessor. */
export function callLogProcessors(settings: SpansSettings): LogRecordProcessor[] {
  return [new RedactingLogProcessor(redactorFor(settings))];
}

/**
 * Outbound spans (CLIENT, PRODUCER) of unsampled traces are still recorded (not
 * exported: the BatchSpanProcessor takes sampled spans only), so call metrics count
 * every call. Server, internal and consumer spans of unsampled traces stay
 * non-recording, as the sampler decided: nothing would read them, and a recorded
 * span costs several times a non-recording one.
 */
export function recordOutbound(sampler: Sampler): Sampler {
  return {
    shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
      const result = sampler.shouldSample(context, traceId, name, kind, attributes, links);
      if (result.decision !== SamplingDecision.NOT_RECORD || (kind !== SpanKind.CLIENT && kind !== SpanKind.PRODUCER)) return result;
      return { ...result, decision: SamplingDecision.RECORD };
    },
    toString: () => `RecordOutbound{${sampler.toString()}}`,
  };
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
