// The spans that have started and not yet ended. Crash capture needs them: a
// process that dies on an uncaught exception never ends its spans, so the trace
// of the request that crashed it would never reach the collector. On a crash the
// open spans are ended (the ones in the failing call chain with the exception),
// then flushed.

import { type Context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';

// A bound: spans an app forgets to end must not grow this without limit.
const MAX_OPEN = 10000;

export class OpenSpansProcessor implements SpanProcessor {
  readonly open = new Map<string, Span>();

  onStart(span: Span, _parentContext: Context): void {
    if (this.open.size < MAX_OPEN) this.open.set(span.spanContext().spanId, span);
  }

  onEnd(span: Span): void {
    this.open.delete(span.spanContext().spanId);
  }

  /**
   * Ends every open span. The active span and its open ancestors get the
   * exception event and status ERROR: they are the call chain that crashed.
   */
  endAll(error: unknown, active: Context): void {
    const chain = new Set<string>();
    for (let span = trace.getSpan(active) as Span | undefined; span; ) {
      const id = span.spanContext().spanId;
      if (chain.has(id)) break;
      chain.add(id);
      const parentId = span.parentSpanContext?.spanId;
      span = parentId ? this.open.get(parentId) : undefined;
    }
    for (const [id, span] of [...this.open]) {
      try {
        if (chain.has(id)) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        }
        span.end();
      } catch {
        // never into the app (it is crashing already)
      }
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.open.clear();
    return Promise.resolve();
  }
}
