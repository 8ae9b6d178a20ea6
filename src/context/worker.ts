// worker_threads with the caller's trace context. A worker started with
// tracedWorker() runs with TRACEPARENT in its environment (its own callscope,
// preloaded through the inherited execArgv, continues that trace at the top
// level); contextMessage()/onContextMessage() carry the sender's context with
// each postMessage, so the receiving handler's spans are children of the sender.

import { context } from '@opentelemetry/api';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { type TraceCarrier, envCarrier, extractCarrier, injectCarrier } from './carrier.js';

const KEY = '__callscope_trace';

export interface ContextMessage<T> {
  [KEY]: TraceCarrier;
  data: T;
}

/** new Worker(filename, options) whose environment carries the active trace context. */
export function tracedWorker(filename: string | URL, options: WorkerOptions = {}): Worker {
  const base = options.env === undefined || typeof options.env === 'symbol' ? process.env : (options.env as Record<string, string>);
  return new Worker(filename, { ...options, env: { ...base, ...envCarrier() } });
}

/** Wraps data for postMessage with the active trace context. */
export function contextMessage<T>(data: T): ContextMessage<T> {
  return { [KEY]: injectCarrier(), data };
}

/**
 * A message listener that runs `handler` in the sender's context for messages made
 * with contextMessage() (others pass through unchanged, in the current context).
 */
export function onContextMessage<T>(handler: (data: T) => void): (message: unknown) => void {
  return (message: unknown) => {
    if (message !== null && typeof message === 'object' && KEY in message) {
      const { [KEY]: carrier, data } = message as ContextMessage<T>;
      context.with(extractCarrier(carrier), () => handler(data));
    } else {
      handler(message as T);
    }
  };
}
