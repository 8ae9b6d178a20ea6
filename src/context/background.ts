// Background work as its own trace: background(name, fn) runs fn in a new ROOT
// span linked to the span that scheduled it, so a setInterval loop gives one
// trace per run (not one endless trace) and a queue consumer's job links back to
// the request that enqueued it (pass the carrier captured at enqueue time).

import { type Attributes, type Context, type Link, type Span, SpanKind, context, isSpanContextValid, trace } from '@opentelemetry/api';
import { type MessageAttributeCarrier, type TraceCarrier, extractCarrier } from './carrier.js';
import { runInSpan } from './run-in-span.js';

export interface BackgroundOptions {
  /** What scheduled the work: a Context, a carrier from injectCarrier() (job payloads) or a message's attributes. Default: the active context. */
  linkTo?: Context | TraceCarrier | MessageAttributeCarrier;
  attributes?: Attributes;
  /** 'internal' (default) or 'consumer' (a job taken from a queue). */
  kind?: 'internal' | 'consumer';
}

/** Runs `fn` as the root span of a new trace, linked to its scheduler. Returns what fn returns; rethrows what it throws. */
export function background<T>(name: string, fn: (span: Span) => T, options: BackgroundOptions = {}): T {
  const scheduler = toContext(options.linkTo);
  const links: Link[] = [];
  const parent = trace.getSpanContext(scheduler);
  if (parent && isSpanContextValid(parent)) links.push({ context: parent, attributes: { 'callscope.link.type': 'scheduled_by' } });
  const span = trace.getTracer('callscope').startSpan(name, {
    root: true,
    kind: options.kind === 'consumer' ? SpanKind.CONSUMER : SpanKind.INTERNAL,
    links,
    attributes: { 'callscope.background': true, ...options.attributes },
  });
  return runInSpan(span, context.active(), fn);
}

function toContext(linkTo: BackgroundOptions['linkTo']): Context {
  if (linkTo === undefined) return context.active();
  if (typeof (linkTo as Context).getValue === 'function') return linkTo as Context;
  return extractCarrier(linkTo as TraceCarrier);
}
