// One log record, from the call to the finished fields: timestamp, level, logger,
// message, trace_id/span_id of the active span, the withLogContext fields, and
// the caller's fields made JSON-safe. Done synchronously at the call, because
// that is the only moment the active span and context are known (winston's
// stream may hand the record to transports later, under backpressure).

import { formatWithOptions } from 'node:util';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { currentLogFields } from './context.js';
import type { LevelName } from './levels.js';
import { redactRecord } from './redact-record.js';
import { isError, toPlain } from './serialize.js';

/** The fields every record has; anything else on it is a structured field. */
export const CORE_KEYS = new Set(['timestamp', 'level', 'logger', 'message', 'trace_id', 'span_id']);
/** Keys we never print: winston's trace_flags (added by the winston instrumentation), winston's splat leftovers. */
export const HIDDEN_KEYS = new Set(['trace_flags']);

export type Record_ = {
  level: LevelName;
  message: string;
  logger: string;
  timestamp?: string;
  trace_id?: string;
  span_id?: string;
  [field: string]: unknown;
};

/** The record's time in ms since the epoch (the OTLP timestamp, without parsing the ISO string back). */
export const TIME_MS = Symbol.for('callscope.logs.time');

/** The record's own field names (not the core keys), as prepareRecord found them. */
export const FIELD_KEYS = Symbol.for('callscope.logs.fieldKeys');

/** Marks a winston info object that has been prepared (child loggers pass it through write twice). */
export const PREPARED = Symbol.for('callscope.logs.prepared');

// A busy logger writes many records per millisecond: format each millisecond once.
let lastMs = -1;
let lastIso = '';
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/**
 * Fills in a record in place. `fields` of the caller win over context fields;
 * the logger's name wins over nothing (a field named `logger` stays).
 */
export function prepareRecord(info: Record<string | symbol, unknown>, loggerName: string): Record_ {
  const record = info as Record_;
  (info as Record<symbol, unknown>)[PREPARED] = true;
  const now = Date.now();
  (info as Record<symbol, unknown>)[TIME_MS] = now;
  record.timestamp = typeof info.timestamp === 'string' ? info.timestamp : isoTime(now);
  if (typeof info.logger !== 'string') record.logger = loggerName;

  const spanContext = trace.getSpanContext(context.active());
  if (spanContext && isSpanContextValid(spanContext)) {
    record.trace_id = spanContext.traceId;
    record.span_id = spanContext.spanId;
  }

  const scoped = currentLogFields();
  if (scoped) for (const key of Object.keys(scoped)) if (info[key] === undefined) info[key] = scoped[key];

  const message = info.message;
  if (typeof message !== 'string') {
    if (isError(message)) {
      info.err ??= message;
      record.message = message.message;
    } else {
      record.message = message === undefined ? '' : formatWithOptions({ colors: false }, message);
    }
  }
  const fieldKeys: string[] = [];
  for (const key of Object.keys(info)) {
    if (CORE_KEYS.has(key)) continue;
    fieldKeys.push(key);
    const value = info[key];
    if (value !== null && typeof value === 'object') info[key] = toPlain(value);
    else if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') info[key] = toPlain(value);
  }
  redactRecord(info as Record<string, unknown>, fieldKeys);
  (info as Record<symbol, unknown>)[FIELD_KEYS] = fieldKeys;
  return record;
}

const FORMAT_TOKEN = /%[sdifjoOc%]/;

/**
 * Console-style arguments -> message and fields, with Node's util.format
 * semantics for the message (printf tokens, extra arguments appended, objects
 * inspected), except that an Error argument is taken out as the `err` field and
 * only its message stays in the text: the stack then travels once, structured.
 */
export function fromConsoleArgs(args: unknown[]): { message: string; err?: unknown } {
  if (args.length === 1 && typeof args[0] === 'string') return { message: args[0] };
  const first = args[0];
  const tokens = typeof first === 'string' && FORMAT_TOKEN.test(first);
  let err: unknown;
  const rest = tokens ? args : args.filter((arg) => {
    if (err === undefined && isError(arg)) {
      err = arg;
      return false;
    }
    return true;
  });
  let message = formatWithOptions({ colors: false }, ...rest);
  if (err !== undefined) message = message === '' ? String((err as Error).message) : `${message} ${(err as Error).message}`;
  if (tokens && err === undefined) err = args.find(isError);
  return err === undefined ? { message } : { message, err };
}
