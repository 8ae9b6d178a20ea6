// Streaming LLM responses. The openai instrumentation ends a streaming chat span
// only when the app reads the stream to its end: when the app breaks out of the
// loop (or the connection drops half-way) the span is never ended, so it is
// never exported. Here, when the HTTP transport of an open gen_ai span ends
// broken after a 2xx answer, the gen_ai span is ended a moment later if nobody
// else did, marked `callscope.stream.aborted` (app stopped reading -> warn) or
// with the transport's error (-> error). Also records the time to the first
// response data (`callscope.gen_ai.time_to_first_chunk_ms`): the instrumentation
// sets gen_ai.response.id from the first chunk, so that write is the signal.

import { subscribe } from 'node:diagnostics_channel';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/sdk-trace';
import { ATTR_SEVERITY, statusCode } from './severity.js';

export const ATTR_STREAM_ABORTED = 'callscope.stream.aborted';
export const ATTR_TIME_TO_FIRST_CHUNK = 'callscope.gen_ai.time_to_first_chunk_ms';

// undici reports an aborted body on this channel and the undici instrumentation
// ends the fetch span inside the same synchronous publish. Subscribing at module
// load puts us first, so while that span ends we know it was an abort.
let abortPublishing = false;
try {
  subscribe('undici:request:error', (message) => {
    const error = (message as { error?: { name?: string } }).error;
    if (error?.name !== 'AbortError') return;
    abortPublishing = true;
    queueMicrotask(() => (abortPublishing = false));
  });
} catch {
  // no diagnostics_channel: streams just lose the abort marker
}

export function isGenAi(span: Span): boolean {
  return span.attributes['gen_ai.operation.name'] !== undefined || span.attributes['gen_ai.system'] !== undefined || span.attributes['gen_ai.provider.name'] !== undefined;
}

/** Watches a gen_ai span for its first response data; returns a reader of the elapsed ms. */
export function watchFirstChunk(span: Span): () => number | undefined {
  const started = performance.now();
  let firstAt: number | undefined;
  const setAttribute = span.setAttribute;
  span.setAttribute = function (key, value) {
    if (firstAt === undefined && key === 'gen_ai.response.id') firstAt = performance.now();
    return setAttribute.call(this, key, value);
  };
  return () => (firstAt === undefined ? undefined : Math.round((firstAt - started) * 1000) / 1000);
}

/** Called as a nested transport span ends inside an open gen_ai span. */
export function onTransportEnding(transport: Span, genAi: Span): void {
  const status = statusCode(transport.attributes);
  if (status === undefined || status >= 300) return;
  const aborted = abortPublishing;
  const failed = transport.status.code === SpanStatusCode.ERROR;
  if (!aborted && !failed) return;
  const errorType = transport.attributes['error.type'];
  // The instrumentation, if it is going to end the span, does so within a few ticks.
  setTimeout(() => {
    try {
      if (genAi.ended) return;
      genAi.setAttribute(ATTR_STREAM_ABORTED, true);
      if (failed) {
        genAi.setStatus({ code: SpanStatusCode.ERROR, message: transport.status.message ?? 'stream broken' });
        genAi.setAttribute('error.type', typeof errorType === 'string' ? errorType : 'stream_broken');
      } else {
        genAi.setAttribute(ATTR_SEVERITY, 'warn');
      }
      genAi.end(transport.endTime);
    } catch {
      // never into the app
    }
  }, 50).unref();
}
