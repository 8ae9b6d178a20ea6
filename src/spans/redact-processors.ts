// The Redactor applied to what leaves the process: span name, attributes, event
// attributes and status message (in onEnding, after every other processor has
// written its attributes), and log record bodies and attributes (in onEmit,
// before the batch processor). Work is in try/catch: telemetry never throws into
// the app. Spans of unsampled traces are never exported, so they are skipped.

import { type Context, TraceFlags } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { NoopSpanProcessor, type Span } from '@opentelemetry/sdk-trace';
import type { Redactor } from './redact.js';

// NoopSpanProcessor supplies the no-op start/end/flush/shutdown.
export class RedactingSpanProcessor extends NoopSpanProcessor {
  private readonly redactor: Redactor;

  constructor(redactor: Redactor) {
    super();
    this.redactor = redactor;
  }

  onEnding(span: Span): void {
    try {
      if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
      const name = this.redactor.redactString(span.name);
      if (name !== span.name) span.updateName(name);
      this.redactor.redactAttributes(span.attributes as Record<string, unknown>);
      for (const event of span.events) if (event.attributes) this.redactor.redactAttributes(event.attributes as Record<string, unknown>);
      const status = span.status as { message?: string };
      if (status.message) status.message = this.redactor.redactString(status.message);
    } catch {
      // never into the app
    }
  }
}

export class RedactingLogProcessor implements LogRecordProcessor {
  private readonly redactor: Redactor;

  constructor(redactor: Redactor) {
    this.redactor = redactor;
  }

  onEmit(record: ReadWriteLogRecord, _context?: Context): void {
    try {
      if (record.body !== undefined) record.setBody(this.redactor.redactAny('body', record.body) as ReadWriteLogRecord['body']);
      const attributes = record.attributes as Record<string, unknown>;
      for (const key in attributes) {
        const value = attributes[key];
        const redacted = this.redactor.redactAny(key, value);
        if (redacted !== value) attributes[key] = redacted;
      }
    } catch {
      // never into the app
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
