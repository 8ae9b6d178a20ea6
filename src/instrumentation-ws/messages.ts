// Incoming messages (a CONSUMER span per message, a new trace linked to the
// handshake) and outgoing ones (an event on the active span, or a PRODUCER span).
//
// Why the listener wrapping: `emit('message')` returns when the listeners have
// *started*; an async listener (`ws.on('message', async (data) => { await
// openai… })`) is still running. The listeners we wrap hand their returned
// promise to the message being emitted, and the span ends when those settle.

import { type Attributes, type Context, type Span, ROOT_CONTEXT, SpanKind, TraceFlags, context, trace } from '@opentelemetry/api';
import { safeExecuteInTheMiddle } from '@opentelemetry/instrumentation';
import { randomFillSync } from 'node:crypto';
import { ATTR_CONNECTION_ID, ATTR_MESSAGE_SIZE, ATTR_MESSAGE_TYPE, ATTR_UNFINISHED, messageSize } from './attributes.js';
import { withLogFieldsInContext } from '../logs/context.js';
import { type Host, recordError } from './connection.js';
import type { Connection, WsSocket } from './internal-types.js';
import type { MessageSpans } from './types.js';

type Listener = (this: unknown, ...args: unknown[]) => unknown;
/** For safeExecuteInTheMiddle when nothing is to be done after our own code. */
export const ignore = () => {};

/**
 * An onFinish for safeExecuteInTheMiddle around app code: it runs in a
 * `finally`, so a throw of ours there would replace the app's own result or error.
 */
export function quietly(onFinish: (error: Error | undefined) => void): (error: Error | undefined) => void {
  return (error) => {
    try {
      onFinish(error);
    } catch {
      // never into the app
    }
  };
}

// A message that sends more than this before its span is made keeps the first ones as events (the count is in the metric).
const MAX_BUFFERED_SENDS = 128;

/** Message spans and their connection, so that a send inside one need not repeat the connection id. */
const messageSpans = new WeakMap<Span, Connection>();

/** The message whose listeners emit('message') is calling right now (synchronously). */
let emitting: Message | undefined;

/** Wraps an app `message` listener so that its returned promise reaches the message span. */
export function trackListener(listener: Listener): Listener {
  const tracked = function (this: unknown, data: unknown, isBinary: unknown): unknown {
    // ws calls listeners with (data, isBinary): a direct call, no rest array on this path.
    const result = arguments.length === 2 ? listener.call(this, data, isBinary) : Reflect.apply(listener, this, arguments);
    if (emitting !== undefined && isThenable(result)) (emitting.promises ??= []).push(result);
    return result;
  } as Listener & { listener?: Listener };
  // EventEmitter treats `.listener` as "the function the app registered" (as it
  // does for once()): removeListener(fn), off(fn) and listeners() keep working.
  tracked.listener = listener;
  return tracked;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

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
 * One incoming message and its span: made at once ('all', or a ratio that was
 * drawn) or, with 'traced', only when something needs it — a span started inside
 * (an outbound call), a log record, getActiveSpan(), a listener that throws. A
 * message whose handling does none of these (an echo, a counter) costs no span.
 */
class Message {
  span: Span | undefined;
  readonly ctx: Context;
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

  constructor(host: Host, connection: Connection, data: unknown, isBinary: unknown, lazy: boolean) {
    this.host = host;
    this.connection = connection;
    this.size = messageSize(data);
    this.binary = Boolean(isBinary);
    const base = baseContext(connection);
    this.ctx = lazy ? new LazyMessageContext(this, base) : trace.setSpan(base, this.materialize());
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

/** A context whose active span is the message's, made on first read. Other keys behave as usual. */
class LazyMessageContext implements Context {
  readonly message: Message;
  private readonly base: Context;

  constructor(message: Message, base: Context) {
    this.message = message;
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
    return key === SPAN_KEY ? this.base.setValue(key, value) : new LazyMessageContext(this.message, this.base.setValue(key, value));
  }

  deleteValue(key: symbol): Context {
    return key === SPAN_KEY ? this.base.deleteValue(key) : new LazyMessageContext(this.message, this.base.deleteValue(key));
  }
}

/**
 * What every message context of a connection starts from: no span, and the connection
 * id for the log records the listeners write (with the message span's trace ids).
 */
function baseContext(connection: Connection): Context {
  return (connection.messageBase ??= withLogFieldsInContext(ROOT_CONTEXT, connection.logFields));
}

/** The context a message is handled in: its (maybe lazy) span, or (ratio not drawn) a deliberately unsampled one. */
function startMessage(host: Host, connection: Connection, mode: MessageSpans, data: unknown, isBinary: unknown): Message | Context {
  if (typeof mode === 'number' && Math.random() >= mode) {
    // Unsampled but valid: the calls made while handling this message are not traced either.
    return trace.setSpanContext(baseContext(connection), { ...unsampledIds(), traceFlags: TraceFlags.NONE });
  }
  return new Message(host, connection, data, isBinary, mode === 'traced');
}

/**
 * emit('message', data, isBinary) on a server connection. This runs for every
 * message: one closure (the emit itself) and the one context switch, our own
 * failures caught inline rather than through safeExecuteInTheMiddle's extra
 * closures; the app's errors pass through unchanged.
 */
export function emitMessage(host: Host, mode: MessageSpans, ws: WsSocket, connection: Connection, emit: Function, args: IArguments): boolean {
  connection.received++;
  connection.metrics.received++;
  const emitNow = () => Reflect.apply(emit, ws, args) as boolean;
  if (mode === 'none') return context.with(baseContext(connection), emitNow);
  let started: Message | Context;
  try {
    started = startMessage(host, connection, mode, args[1], args[2]);
  } catch {
    return context.with(baseContext(connection), emitNow);
  }
  const message = started instanceof Message ? started : undefined;
  const previous = emitting;
  emitting = message;
  let result: boolean;
  try {
    result = context.with(message ? message.ctx : (started as Context), emitNow);
  } catch (error) {
    emitting = previous;
    // A listener threw: recorded on the message span; the error still reaches the app.
    if (message) {
      try {
        recordError(message.materialize(), error);
        message.finish();
      } catch {
        // never into the app
      }
    }
    throw error;
  }
  emitting = previous;
  if (message) {
    try {
      endWhenSettled(connection, message);
    } catch {
      // never into the app
    }
  }
  return result;
}

function endWhenSettled(connection: Connection, message: Message): void {
  const promises = message.promises;
  message.promises = undefined;
  if (promises === undefined) {
    message.finish();
    return;
  }
  (connection.pending ??= new Set()).add(message);
  let left = promises.length;
  const settle = () => {
    // Already ended by the close if it is no longer pending.
    if (--left === 0 && connection.pending?.delete(message)) message.finish();
  };
  for (const promise of promises) {
    try {
      promise.then(settle, (error: unknown) => {
        if (connection.pending?.has(message)) recordError(message.materialize(), error);
        settle();
        // Rethrown so that the rejection stays unhandled, as it was without us
        // (emit() drops a listener's promise): the app's unhandledRejection
        // handling sees the same error.
        throw error;
      });
    } catch {
      settle();
    }
  }
}

/** ws.send(): counted; an event on the active span, or a PRODUCER span with sendSpans. */
export function traceSend(host: Host, sendSpans: boolean, ws: WsSocket, connection: Connection, send: Function, args: IArguments): unknown {
  connection.sent++;
  connection.metrics.sent++;
  if (!sendSpans) {
    const current = context.active();
    if (current instanceof LazyMessageContext && current.message.span === undefined) {
      // Inside a message whose span does not exist (yet): keep the event's facts for it, make no span for it.
      const sends = (current.message.sends ??= []);
      if (sends.length < MAX_BUFFERED_SENDS * 3) {
        try {
          sends.push(messageSize(args[0]), isBinarySend(args) ? 1 : 0, performance.now());
        } catch {
          // never into the app
        }
      }
      return Reflect.apply(send, ws, args);
    }
    const active = trace.getSpan(current);
    if (active?.isRecording()) {
      // Inside this connection's own message span the id is already there: not repeated (it
      // was a third of the event's export cost).
      const owner = messageSpans.get(active) === connection ? undefined : connection;
      safeExecuteInTheMiddle(() => active.addEvent('ws.send', sendAttributes(args, owner)), ignore, true);
    }
    return Reflect.apply(send, ws, args);
  }
  const attributes = safeExecuteInTheMiddle(() => sendAttributes(args, connection), ignore, true);
  const span = safeExecuteInTheMiddle(() => host.wsTracer.startSpan(`ws send ${connection.target}`, { kind: SpanKind.PRODUCER, attributes }), ignore, true);
  if (!span) return Reflect.apply(send, ws, args);
  // The span covers queueing the frame; ws reports delivery only through the optional callback.
  return safeExecuteInTheMiddle(
    () => context.with(trace.setSpan(context.active(), span), () => Reflect.apply(send, ws, args)),
    quietly((error) => {
      if (error !== undefined) recordError(span, error);
      span.end();
    }),
  );
}

/** Whether send(data, options) sends a binary frame: options.binary, else whatever is not a string. */
function isBinarySend(args: IArguments): boolean {
  const options = args[1] as { binary?: boolean } | undefined;
  return typeof options === 'object' && options !== null && options.binary !== undefined ? Boolean(options.binary) : typeof args[0] !== 'string';
}

/** Size and type of send(data, options); the connection id when given. */
function sendAttributes(args: IArguments, connection: Connection | undefined): Attributes {
  const attributes: Attributes = { [ATTR_MESSAGE_SIZE]: messageSize(args[0]), [ATTR_MESSAGE_TYPE]: isBinarySend(args) ? 'binary' : 'text' };
  if (connection) attributes[ATTR_CONNECTION_ID] = connection.id;
  return attributes;
}
