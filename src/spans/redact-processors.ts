// The Redactor applied to what leaves the process: span name, attributes, event
// attributes and status message (called by the CallSpanProcessor's onEnding, after
// it has written its attributes), and log record bodies and attributes (in onEmit,
// before the batch processor). Work is in try/catch: telemetry never throws into
// the app.

import type { Context } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { Span } from '@opentelemetry/sdk-trace';
import type { Redactor } from './redact.js';

/** Redacts a span about to end, in place: name, attributes, event attributes, status message. */
export function redactSpan(redactor: Redactor, span: Span): void {
  const name = redactor.redactString(span.name);
  if (name !== span.name) span.updateName(name);
  redactor.redactAttributes(span.attributes as Record<string, unknown>);
  for (const event of span.events) if (event.attributes) redactor.redactAttributes(event.attributes as Record<string, unknown>);
  const status = span.status as { message?: string };
  if (status.message) status.message = redactor.redactString(status.message);
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
