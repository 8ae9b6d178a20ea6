// The span processor that makes raw spans say what they mean: on every span
// `callscope.severity`; on every outbound span (CLIENT/PRODUCER) the service and
// category, `server.service.name` and `peer.service`; and one
// callscope.external.duration point per outbound call. Runs in onEnding, while
// the span is still writable and every attribute the instrumentation sets is
// there. Telemetry never throws into the app: all work is in try/catch.
//
// Nested outbound spans (the HTTP attempts inside an OpenAI or AWS SDK call)
// inherit the enclosing call's classification, tell it how many attempts were
// made and what the last one answered, and are not counted again in the metric.

import { type Context, SpanKind } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { CallMetrics } from './call-metrics.js';
import { ATTR_CATEGORY, ATTR_SERVICE, type Classification, type Classifier } from './classify.js';
import type { Category } from './rules.js';
import { ATTR_SEVERITY, decideSeverity, errorTypeOf, statusCode } from './severity.js';
import { ATTR_TIME_TO_FIRST_CHUNK, isGenAi, onTransportEnding, watchFirstChunk } from './streams.js';

interface OpenCall {
  span: Span;
  parent: OpenCall | undefined;
  classification: Classification | undefined;
  attempts: number;
  childStatus: number | undefined;
  /** gen_ai spans: ms to the first response data, once it came. */
  firstChunk: (() => number | undefined) | undefined;
}

// Spans that never end (a bug elsewhere) must not grow this without bound.
const MAX_OPEN = 10000;

export class CallSpanProcessor implements SpanProcessor {
  private readonly open = new Map<string, OpenCall>();
  private readonly classifier: Classifier;
  private readonly metrics: CallMetrics | undefined;
  private readonly slowMs: Record<Category, number>;

  constructor(classifier: Classifier, metrics: CallMetrics | undefined, slowMs: Record<Category, number>) {
    this.classifier = classifier;
    this.metrics = metrics;
    this.slowMs = slowMs;
  }

  onStart(span: Span, _context: Context): void {
    try {
      if (!isOutbound(span)) return;
      const parentId = span.parentSpanContext?.spanId;
      const parent = parentId === undefined ? undefined : this.open.get(parentId);
      if (parent) parent.attempts++;
      if (this.open.size >= MAX_OPEN) this.open.clear();
      const firstChunk = isGenAi(span) ? watchFirstChunk(span) : undefined;
      this.open.set(span.spanContext().spanId, { span, parent, classification: undefined, attempts: 0, childStatus: undefined, firstChunk });
    } catch {
      // never into the app
    }
  }

  onEnding(span: Span): void {
    try {
      const call = isOutbound(span) ? this.open.get(span.spanContext().spanId) : undefined;
      if (call === undefined) {
        span.setAttribute(ATTR_SEVERITY, decideSeverity(span, undefined, this.slowMs));
        return;
      }
      const classification = this.classificationOf(call);
      span.setAttribute(ATTR_SERVICE, classification.service);
      span.setAttribute(ATTR_CATEGORY, classification.category);
      if (span.attributes['server.service.name'] === undefined) span.setAttribute('server.service.name', classification.service);
      if (span.attributes['peer.service'] === undefined) span.setAttribute('peer.service', classification.service);
      const severity = decideSeverity(span, { category: classification.category, attempts: call.attempts, childStatus: call.childStatus }, this.slowMs);
      span.setAttribute(ATTR_SEVERITY, severity);
      const errorType = errorTypeOf(span);
      if (errorType !== undefined && span.attributes['error.type'] === undefined) span.setAttribute('error.type', errorType);
      const firstChunkMs = call.firstChunk?.();
      if (firstChunkMs !== undefined) span.setAttribute(ATTR_TIME_TO_FIRST_CHUNK, firstChunkMs);
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

  onEnd(span: ReadableSpan): void {
    if (span.kind === SpanKind.CLIENT || span.kind === SpanKind.PRODUCER) this.open.delete(span.spanContext().spanId);
  }

  /** Classified once per call; a child asking first (it ends before its parent) fills the parent's in. */
  private classificationOf(call: OpenCall): Classification {
    if (call.classification === undefined) {
      const inherited = call.parent ? this.classificationOf(call.parent) : undefined;
      call.classification = this.classifier.classify(call.span.attributes, inherited);
    }
    return call.classification;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.open.clear();
    return Promise.resolve();
  }
}

function isOutbound(span: { kind: SpanKind }): boolean {
  return span.kind === SpanKind.CLIENT || span.kind === SpanKind.PRODUCER;
}
