// One incoming message on a server connection: its CONSUMER span (a new trace
// linked to the handshake), made up front or only when something needs it, and
// the contexts its listeners run in.

import { type Context, type Span, ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { randomFillSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ATTR_CONNECTION_ID, ATTR_MESSAGE_SIZE, ATTR_MESSAGE_TYPE, ATTR_UNFINISHED, messageSize } from './attributes.js';
import { withLogFieldsInContext } from '../logs/context.js';
import type { Host } from './connection.js';
import type { Connection } from './internal-types.js';

// A message that sends more than this before its span is made keeps the first ones as events (the count is in the metric).
const MAX_BUFFERED_SENDS = 128;

/** Message spans and their connection, so that a send inside one need not repeat the connection id. */
export const messageSpans = new WeakMap<Span, Connection>();

// Ids for unsampled messages come from a pool refilled 4 KiB at a time: one
// getrandom() call per message (randomBytes) cost more than the whole message.
// Each message gets its own ids (not one per connection): a downstream service
// that ignores the sampled flag would otherwise merge unrelated calls into one trace.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function unsampledIds(): { traceId: string; spanId: string } {
  if (poolOffset + 24 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const start = poolOffset;
  poolOffset += 24;
  return { traceId: pool.toString('hex', start, start + 16), spanId: pool.toString('hex', start + 16, start + 24) };
}

// The api's key for the active span (createContextKey is Symbol.for).
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

/**
 * A context whose active span is a message's (made on first read, with 'traced');
 * every other key comes from `base`. The message itself is one (its listeners run
 * in it: one object per message, not two); a listener's own setValue() makes
 * another that keeps the message's span.
 */
abstract class MessageContext implements Context {
  abstract readonly message: Message;
  protected readonly base: Context;

  constructor(base: Context) {
    this.base = base;
  }

  getValue(key: symbol): unknown {
    if (key !== SPAN_KEY) return this.base.getValue(key);
    // Read by app and instrumentation code: a failure to make the span must not reach it.
    try {
      return this.message.materialize();
    } catch {
      return undefined;
    }
  }

  setValue(key: symbol, value: unknown): Context {
    return key === SPAN_KEY ? this.base.setValue(key, value) : new DerivedMessageContext(this.message, this.base.setValue(key, value));
  }

  deleteValue(key: symbol): Context {
    return key === SPAN_KEY ? this.base.deleteValue(key) : new DerivedMessageContext(this.message, this.base.deleteValue(key));
  }
}

class DerivedMessageContext extends MessageContext {
  readonly message: Message;

  constructor(message: Message, base: Context) {
    super(base);
    this.message = message;
  }
}

/**
 * One incoming message and its span: made at once ('all', or a ratio that was
 * drawn) or, with 'traced', only when something needs it — a span started inside
 * (an outbound call), a log record, getActiveSpan(), a listener that throws. A
 * message whose handling does none of these (an echo, a counter) costs no span.
 */
export class Message extends MessageContext {
  span: Span | undefined;
  /** ws.send() calls made before the span existed (size, 1 if binary, time; flat), replayed as events when it is made. */
  sends: number[] | undefined;
  /** What the tracked listeners returned: the handling ends when these settle. */
  promises: PromiseLike<unknown>[] | undefined;
  private readonly startTime = performance.now();
  /** When the handling finished, if the span did not exist then (it may still be made later, already ended). */
  private endedAt: number | undefined;
  private unfinished = false;
  private readonly size: number;
  private readonly binary: boolean;
  private readonly host: Host;
  private readonly connection: Connection;

  constructor(host: Host, connection: Connection, data: unknown, isBinary: unknown) {
    super(baseContext(connection));
    this.host = host;
    this.connection = connection;
    this.size = messageSize(data);
    this.binary = Boolean(isBinary);
  }

  get message(): Message {
    return this;
  }

  materialize(): Span {
    if (this.span) return this.span;
    const connection = this.connection;
    const span = this.host.wsTracer.startSpan(`ws receive ${connection.target}`, {
      kind: SpanKind.CONSUMER,
      startTime: this.startTime,
      // A connection can live for hours: each message is its own trace, linked to the handshake.
      links: [{ context: connection.handshake }],
      attributes: { [ATTR_CONNECTION_ID]: connection.id, [ATTR_MESSAGE_SIZE]: this.size, [ATTR_MESSAGE_TYPE]: this.binary ? 'binary' : 'text' },
    }, ROOT_CONTEXT);
    this.span = span;
    messageSpans.set(span, connection);
    const sends = this.sends ?? [];
    for (let i = 0; i < sends.length; i += 3) {
      span.addEvent('ws.send', { [ATTR_MESSAGE_SIZE]: sends[i]!, [ATTR_MESSAGE_TYPE]: sends[i + 1] ? 'binary' : 'text' }, sends[i + 2]);
    }
    this.sends = undefined;
    // Read after the handling finished (a callback it left behind): the span ends where the handling did,
    // exactly as a span made up front would have.
    if (this.endedAt !== undefined) this.close(span, this.endedAt);
    return span;
  }

  /** A send made while the span does not exist: its facts are kept for the span (the first MAX_BUFFERED_SENDS). */
  bufferSend(size: number, binary: boolean): void {
    const sends = this.sends;
    if (sends === undefined) this.sends = [size, binary ? 1 : 0, performance.now()];
    else if (sends.length < MAX_BUFFERED_SENDS * 3) sends.push(size, binary ? 1 : 0, performance.now());
  }

  /** The handling is over (`unfinished`: the connection closed first). */
  finish(unfinished = false): void {
    this.unfinished ||= unfinished;
    if (this.span) this.close(this.span, undefined);
    else this.endedAt ??= performance.now();
  }

  private close(span: Span, at: number | undefined): void {
    if (this.unfinished) span.setAttribute(ATTR_UNFINISHED, true);
    // An explicit time, on the clock the start time came from: given a start time, the SDK
    // would otherwise take the end from Date.now() (ms precision, another clock).
    span.end(at ?? performance.now());
  }
}

/** The message a context belongs to, if it is one of a message's contexts. */
export function messageOf(current: Context): Message | undefined {
  return current instanceof MessageContext ? current.message : undefined;
}

/**
 * What every message context of a connection starts from: no span, and the connection
 * id for the log records the listeners write (with the message span's trace ids).
 */
export function baseContext(connection: Connection): Context {
  return (connection.messageBase ??= withLogFieldsInContext(ROOT_CONTEXT, connection.logFields));
}

/** A message the ratio did not draw: unsampled but valid, so the calls made while handling it are not traced either. */
export function unsampledContext(connection: Connection): Context {
  return trace.setSpanContext(baseContext(connection), { ...unsampledIds(), traceFlags: TraceFlags.NONE });
}
