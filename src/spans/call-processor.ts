// The span processor that makes raw spans say what they mean: on every span
// `callscope.severity`; on every outbound span (CLIENT/PRODUCER) the service and
// category, `server.service.name` and `peer.service`; one
// callscope.external.duration point per outbound call; then redaction of what is
// exported. Runs in onEnding, while the span is still writable and every
// attribute the instrumentation sets is there. One processor rather than one per
// job: every processor is another dispatch per span start, ending and end.
// Telemetry never throws into the app: all work is in try/catch.
//
// Nested outbound spans (the HTTP attempts inside an OpenAI or AWS SDK call)
// inherit the enclosing call's classification, tell it how many attempts were
// made and what the last one answered, and are not counted again in the metric.

import { type Context, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { CallMetrics } from './call-metrics.js';
import { ATTR_CATEGORY, ATTR_SERVICE, type Classification, type Classifier } from './classify.js';
import type { Category } from './rules.js';
import type { Redactor } from './redact.js';
import { redactSpan } from './redact-processors.js';
import { ATTR_SEVERITY, type CallFacts, decideSeverity, errorTypeOf, statusCode } from './severity.js';
import { ATTR_TIME_TO_FIRST_CHUNK, isGenAi, onTransportEnding, watchFirstChunk } from './streams.js';

/** An outbound span while it is open; also the facts its severity is decided from. */
interface OpenCall extends CallFacts {
  span: Span;
  parent: OpenCall | undefined;
  classification: Classification | undefined;
  /** gen_ai spans: ms to the first response data, once it came. */
  firstChunk: (() => number | undefined) | undefined;
}

// An outbound span's OpenCall rides on the span itself: no map to keep or clean up,
// and the parent's is one property read away.
const OPEN = Symbol('callscope.call');

export class CallSpanProcessor implements SpanProcessor {
  private readonly classifier: Classifier;
  private readonly metrics: CallMetrics | undefined;
  private readonly slowMs: Record<Category, number>;
  private readonly redactor: Redactor | undefined;

  constructor(classifier: Classifier, metrics: CallMetrics | undefined, slowMs: Record<Category, number>, redactor: Redactor | undefined) {
    this.classifier = classifier;
    this.metrics = metrics;
    this.slowMs = slowMs;
    this.redactor = redactor;
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      if (!isOutbound(span)) return;
      const parent = (trace.getSpan(parentContext) as Partial<Record<typeof OPEN, OpenCall>> | undefined)?.[OPEN];
      if (parent) parent.attempts++;
      const firstChunk = isGenAi(span) ? watchFirstChunk(span) : undefined;
      (span as Partial<Record<typeof OPEN, OpenCall>>)[OPEN] = { span, parent, classification: undefined, category: undefined, attempts: 0, childStatus: undefined, firstChunk };
    } catch {
      // never into the app
    }
  }

  onEnding(span: Span): void {
    try {
      // Spans of unsampled traces are recorded only for the call metric: they are never
      // exported, so their attributes are not written.
      const exported = (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
      const call = (span as Partial<Record<typeof OPEN, OpenCall>>)[OPEN];
      if (call === undefined) {
        if (!exported) return;
        span.setAttribute(ATTR_SEVERITY, decideSeverity(span, undefined, this.slowMs));
        if (this.redactor) redactSpan(this.redactor, span);
        return;
      }
      const classification = this.classificationOf(call);
      const severity = decideSeverity(span, call, this.slowMs);
      const errorType = errorTypeOf(span);
      if (exported) {
        const attributes = span.attributes;
        span.setAttribute(ATTR_SERVICE, classification.service);
        span.setAttribute(ATTR_CATEGORY, classification.category);
        if (attributes['server.service.name'] === undefined) span.setAttribute('server.service.name', classification.service);
        if (attributes['peer.service'] === undefined) span.setAttribute('peer.service', classification.service);
        span.setAttribute(ATTR_SEVERITY, severity);
        if (errorType !== undefined && attributes['error.type'] === undefined) span.setAttribute('error.type', errorType);
        const firstChunkMs = call.firstChunk?.();
        if (firstChunkMs !== undefined) span.setAttribute(ATTR_TIME_TO_FIRST_CHUNK, firstChunkMs);
        if (this.redactor) redactSpan(this.redactor, span);
      }
      if (call.parent) {
        if (call.parent.firstChunk && !call.firstChunk) onTransportEnding(span, call.parent.span);
        const status = statusCode(span.attributes);
        if (status !== undefined) call.parent.childStatus = status;
      } else if (this.metrics) {
        const seconds = span.duration[0] + span.duration[1] / 1e9;
        this.metrics.record(seconds, classification, severity, errorType);
      }
    } catch {
      // never into the app
    }
  }

  onEnd(_span: ReadableSpan): void {
    // nothing: the open-call record rides on the span and goes with it
  }

  /** Classified once per call; a child asking first (it ends before its parent) fills the parent's in. */
  private classificationOf(call: OpenCall): Classification {
    if (call.classification === undefined) {
      const inherited = call.parent ? this.classificationOf(call.parent) : undefined;
      call.classification = this.classifier.classify(call.span.attributes, inherited);
      call.category = call.classification.category;
    }
    return call.classification;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function isOutbound(span: { kind: SpanKind }): boolean {
  return span.kind === SpanKind.CLIENT || span.kind === SpanKind.PRODUCER;
}
