// Runs a function inside a span and ends the span when the work is really done:
// at return for sync functions, at settlement for promises, at the end (or
// abandonment) of iteration for async iterables. Exceptions are recorded on the
// span and rethrown unchanged. Shared by traced() and background().

import { type Context, type Span, SpanStatusCode, context, trace } from '@opentelemetry/api';

export function runInSpan<T>(span: Span, parent: Context, fn: (span: Span) => T): T {
  const ctx = trace.setSpan(parent, span);
  let result: T;
  try {
    result = context.with(ctx, fn, undefined, span);
  } catch (error) {
    fail(span, error);
    span.end();
    throw error;
  }
  if (isThenable(result)) return settle(result, span) as T;
  if (isAsyncIterable(result)) return iterateInSpan(result, span, ctx) as T;
  span.end();
  return result;
}

function settle(result: PromiseLike<unknown>, span: Span): unknown {
  const ok = (value: unknown) => {
    span.end();
    return value;
  };
  if (result instanceof Promise && result.constructor === Promise) {
    // A native promise: return the chained one, which settles the same way (and
    // stays "unhandled" exactly when the caller does not handle it).
    return result.then(ok, (error: unknown) => {
      fail(span, error);
      span.end();
      throw error;
    });
  }
  // A promise subclass or thenable with its own API (OpenAI's APIPromise): hand the
  // caller the very same object and only observe it.
  result.then(ok, (error: unknown) => {
    fail(span, error);
    span.end();
  });
  return result;
}

/** An async iterable whose every step runs in the span's context; the span ends when iteration does. */
function iterateInSpan<T>(iterable: AsyncIterable<T>, span: Span, ctx: Context): AsyncIterableIterator<T> {
  let ended = false;
  const finish = (error?: unknown) => {
    if (ended) return;
    ended = true;
    if (error !== undefined) fail(span, error);
    span.end();
  };
  let iterator: AsyncIterator<T> | undefined;
  const step = async (call: (it: AsyncIterator<T>) => Promise<IteratorResult<T>> | undefined): Promise<IteratorResult<T>> => {
    try {
      iterator ??= context.with(ctx, () => iterable[Symbol.asyncIterator]());
      const result = await context.with(ctx, () => call(iterator!));
      if (result === undefined || result.done) finish();
      return result ?? { done: true, value: undefined };
    } catch (error) {
      finish(error);
      throw error;
    }
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: (...args: [] | [unknown]) => step((it) => it.next(...args)),
    return: (value?: unknown) => step((it) => (it.return ? it.return(value) : Promise.resolve({ done: true, value: value as T }))),
    throw: (error?: unknown) => step((it) => (it.throw ? it.throw(error) : Promise.reject(error))),
  };
}

export function fail(span: Span, error: unknown): void {
  try {
    if (error instanceof Error) span.recordException(error);
    else span.recordException(String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  } catch {
    // never into the app
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}
