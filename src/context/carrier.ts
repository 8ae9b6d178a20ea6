// Trace context across process and thread boundaries, as plain string maps:
// the environment carrier (TRACEPARENT / TRACESTATE, as the OpenTelemetry spec
// describes for child processes and batch jobs) and message carriers (worker
// postMessage, job payloads). W3C trace context only, whatever propagators the
// HTTP side uses: these carriers are ours on both ends.

import { type Context, ROOT_CONTEXT, context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

const w3c = new W3CTraceContextPropagator();
const setter = { set: (carrier: TraceCarrier, key: string, value: string) => void ((carrier as Record<string, string>)[key] = value) };
const getter = {
  get: (carrier: TraceCarrier, key: string) => (carrier as Record<string, string | undefined>)[key],
  keys: (carrier: TraceCarrier) => Object.keys(carrier),
};

/** The active (or given) context as { traceparent, tracestate }; empty when there is no span. */
export function injectCarrier(ctx: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  w3c.inject(ctx, carrier, setter);
  return carrier;
}

/** A message-attribute map as SQS/SNS/EventBridge clients hand it over: `{ traceparent: { StringValue } }`. */
export type MessageAttributeCarrier = Record<string, { StringValue?: string; stringValue?: string } | string | undefined>;

/**
 * The context in a carrier: { traceparent, tracestate } from injectCarrier(), or the
 * MessageAttributes of an SQS/SNS message (the AWS SDK instrumentation puts the
 * producer's context there), so a consumer can continue the producer's trace.
 */
export function extractCarrier(carrier: TraceCarrier | MessageAttributeCarrier | undefined, base: Context = ROOT_CONTEXT): Context {
  if (!carrier) return base;
  const read = (key: string): string | undefined => {
    const value = (carrier as MessageAttributeCarrier)[key];
    return typeof value === 'string' ? value : value?.StringValue ?? value?.stringValue;
  };
  const traceparent = read('traceparent');
  if (traceparent === undefined) return base;
  const tracestate = read('tracestate');
  return w3c.extract(base, tracestate === undefined ? { traceparent } : { traceparent, tracestate }, getter);
}

/** TRACEPARENT / TRACESTATE for a child's environment (only the keys that apply). */
export function envCarrier(ctx: Context = context.active()): Record<string, string> {
  const { traceparent, tracestate } = injectCarrier(ctx);
  const env: Record<string, string> = {};
  if (traceparent) env.TRACEPARENT = traceparent;
  if (tracestate) env.TRACESTATE = tracestate;
  return env;
}

/**
 * The context manager of a process (or worker thread) started with TRACEPARENT in
 * its environment: work that runs outside any span (the top level of a script, a
 * job) continues the parent's trace instead of starting a new one each time.
 * Inbound requests are unaffected (the http instrumentation extracts from ROOT).
 */
export class EnvContextManager extends AsyncLocalStorageContextManager {
  private readonly base: Context;

  constructor(env: Record<string, string | undefined> = process.env) {
    super();
    this.base = extractCarrier({ traceparent: env.TRACEPARENT, tracestate: env.TRACESTATE });
  }

  override active(): Context {
    const active = super.active();
    return active === ROOT_CONTEXT ? this.base : active;
  }
}
