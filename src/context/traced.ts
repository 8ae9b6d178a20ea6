// The manual API for calls no instrumentation covers (a custom protocol, an SDK
// without instrumentation): traced(name, fn, options) runs fn in a span; with a
// service or category the span is an outbound CLIENT span and gets classified,
// severity and call metrics like any other. tracedMethod() is the same as a
// TypeScript 5 (standard) method decorator.

import { type Attributes, type Span, SpanKind, context, trace } from '@opentelemetry/api';
import type { Category } from '../spans/rules.js';
import { runInSpan } from './run-in-span.js';

export interface TracedOptions {
  /** The remote service (callscope.service.name); makes the span an outbound call. */
  service?: string;
  /** Its category (callscope.service.category); default http when a service is given. */
  category?: Category;
  /** 'client' (default with a service), 'producer', 'consumer', 'server' or 'internal' (default otherwise). */
  kind?: 'client' | 'producer' | 'consumer' | 'server' | 'internal';
  attributes?: Attributes;
}

const KINDS = { client: SpanKind.CLIENT, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER, server: SpanKind.SERVER, internal: SpanKind.INTERNAL };

/**
 * Runs `fn` in a new span named `name`, child of the active span. Returns exactly
 * what fn returns (for a promise: one that settles the same way; for an async
 * iterable: one that yields the same values, the span ending with the iteration).
 * Exceptions are recorded on the span and rethrown unchanged.
 */
export function traced<T>(name: string, fn: (span: Span) => T, options: TracedOptions = {}): T {
  const outbound = options.service !== undefined || options.category !== undefined;
  const attributes: Attributes = { ...options.attributes };
  if (options.service !== undefined) attributes['callscope.service.name'] = options.service;
  if (outbound) attributes['callscope.service.category'] = options.category ?? 'http';
  const kind = KINDS[options.kind ?? (outbound ? 'client' : 'internal')];
  const span = trace.getTracer('callscope').startSpan(name, { kind, attributes });
  return runInSpan(span, context.active(), fn);
}

/**
 * `@tracedMethod()` / `@tracedMethod('name', options)` on a class method: each call
 * runs in a span named `Class.method` (or the given name).
 */
export function tracedMethod(name?: string, options?: TracedOptions) {
  return function <This, Args extends unknown[], Return>(
    method: (this: This, ...args: Args) => Return,
    decorator: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
  ): (this: This, ...args: Args) => Return {
    const methodName = String(decorator.name);
    return function (this: This, ...args: Args): Return {
      const owner = decorator.static ? (this as { name?: string }).name : (this as { constructor?: { name?: string } })?.constructor?.name;
      return traced(name ?? `${owner ?? 'anonymous'}.${methodName}`, () => method.apply(this, args), options);
    };
  };
}
