// withLogContext(fields, fn): fields added to every log record (and, through
// LogContextSpanProcessor, to every span started) inside `fn`, across awaits and
// callbacks. AsyncLocalStorage is the Node counterpart of Python's contextvars.
// The store lives on a Symbol.for global: the ESM and CJS builds of callscope are
// separate module instances, and a context set through one must be seen by the other.

import { AsyncLocalStorage } from 'node:async_hooks';
import { type Context, context, createContextKey, trace } from '@opentelemetry/api';
import { NoopSpanProcessor, type Span } from '@opentelemetry/sdk-trace';

export type LogFields = Record<string, unknown>;

const KEY = Symbol.for('callscope.logs.context');
const holder = globalThis as { [KEY]?: AsyncLocalStorage<LogFields> };
const storage: AsyncLocalStorage<LogFields> = (holder[KEY] ??= new AsyncLocalStorage<LogFields>());

// Fields an instrumentation puts in the OpenTelemetry context it runs app code in
// (the ws connection id of a message handler): one context switch per message
// instead of two. createContextKey is Symbol.for, shared by the ESM and CJS builds.
const FIELDS_KEY = createContextKey('callscope.logs.fields');

/** `ctx` with `fields` added to the records made while it is active (fields must not change afterwards). */
export function withLogFieldsInContext(ctx: Context, fields: LogFields): Context {
  return ctx.setValue(FIELDS_KEY, fields);
}

/** The fields in scope (withLogContext's, over an instrumentation's), or undefined. */
export function currentLogFields(): LogFields | undefined {
  const fromContext = context.active().getValue(FIELDS_KEY) as LogFields | undefined;
  const fromStore = storage.getStore();
  if (fromContext === undefined) return fromStore;
  if (fromStore === undefined) return fromContext;
  return { ...fromContext, ...fromStore };
}

/**
 * Runs `fn` with `fields` added to every log record made inside it (nested calls
 * add to the outer fields; inner values win), and as attributes to the active
 * span and every span started inside it. Returns what `fn` returns.
 */
export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  const outer = storage.getStore();
  const merged = outer ? { ...outer, ...fields } : { ...fields };
  setOnActiveSpan(fields);
  return storage.run(merged, fn);
}

/** Span attributes accept primitives and arrays of them; anything else is written as JSON. */
export function toSpanAttribute(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value === undefined || value === null || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value === 'bigint') return value.toString();
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function setOnActiveSpan(fields: LogFields): void {
  try {
    const span = trace.getActiveSpan();
    if (!span?.isRecording()) return;
    for (const key of Object.keys(fields)) {
      const value = toSpanAttribute(fields[key]);
      if (value !== undefined) span.setAttribute(key, value);
    }
  } catch {
    // never into the app
  }
}

/** Copies the fields in scope onto each span as it starts (the span's own attributes win). */
// NoopSpanProcessor supplies the no-op end/flush/shutdown.
export class LogContextSpanProcessor extends NoopSpanProcessor {
  override onStart(span: Span, _parentContext: Context): void {
    const fields = currentLogFields();
    if (!fields) return;
    try {
      for (const key of Object.keys(fields)) {
        if (span.attributes[key] !== undefined) continue;
        const value = toSpanAttribute(fields[key]);
        if (value !== undefined) span.setAttribute(key, value);
      }
    } catch {
      // never into the app
    }
  }
}
