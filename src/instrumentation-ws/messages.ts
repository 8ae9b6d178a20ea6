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
import { ATTR_CONNECTION_ID, ATTR_MESSAGE_SIZE, ATTR_MESSAGE_TYPE, messageSize } from './attributes.js';
import { runWithLogFields } from '../logs/context.js';
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

/** Message spans and their connection, so that a send inside one need not repeat the connection id. */
const messageSpans = new WeakMap<Span, Connection>();

/** Promises returned by tracked listeners during the current (synchronous) emit('message'). */
let collecting: PromiseLike<unknown>[] | undefined;

/** Wraps an app `message` listener so that its returned promise reaches the message span. */
export function trackListener(listener: Listener): Listener {
  const tracked = function (this: unknown, ...args: unknown[]): unknown {
    const result = Reflect.apply(listener, this, args);
    if (collecting !== undefined && result !== null && typeof (result as PromiseLike<unknown>)?.then === 'function') {
      collecting.push(result as PromiseLike<unknown>);
    }
    return result;
  } as Listener & { listener?: Listener };
  // EventEmitter treats `.listener` as "the function the app registered" (as it
  // does for once()): removeListener(fn), off(fn) and listeners() keep working.
  tracked.listener = listener;
  return tracked;
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

/** The context a message is handled in: a sampled span, or (ratio not drawn) a deliberately unsampled one. */
function startMessage(host: Host, connection: Connection, mode: MessageSpans, data: unknown, isBinary: unknown): { span?: Span; ctx: Context } {
  if (typeof mode === 'number' && Math.random() >= mode) {
    // Unsampled but valid: the calls made while handling this message are not traced either.
    return { ctx: trace.setSpanContext(ROOT_CONTEXT, { ...unsampledIds(), traceFlags: TraceFlags.NONE }) };
  }
  const span = host.wsTracer.startSpan(`ws receive ${connection.target}`, {
    kind: SpanKind.CONSUMER,
    // A connection can live for hours: each message is its own trace, linked to the handshake.
    links: [{ context: connection.handshake }],
    attributes: {
      [ATTR_CONNECTION_ID]: connection.id,
      [ATTR_MESSAGE_SIZE]: messageSize(data),
      [ATTR_MESSAGE_TYPE]: isBinary ? 'binary' : 'text',
    },
  }, ROOT_CONTEXT);
  messageSpans.set(span, connection);
  return { span, ctx: trace.setSpan(ROOT_CONTEXT, span) };
}

/** emit('message', data, isBinary) on a server connection. */
export function emitMessage(host: Host, mode: MessageSpans, ws: WsSocket, connection: Connection, emit: Function, args: IArguments): boolean {
  connection.received++;
  connection.metrics.received++;
  // Logs written by the listeners carry the connection id (and, in a span, its trace ids).
  const emitNow = () => Reflect.apply(emit, ws, args) as boolean;
  const dispatch = () => runWithLogFields(connection.logFields, emitNow);
  if (mode === 'none') return dispatch();
  const started = safeExecuteInTheMiddle(() => startMessage(host, connection, mode, args[1], args[2]), ignore, true);
  if (!started) return dispatch();
  const { span, ctx } = started;
  const previous = collecting;
  const promises: PromiseLike<unknown>[] = [];
  collecting = span ? promises : undefined;
  return safeExecuteInTheMiddle(
    // The log context outside the span context: withLogContext then finds no active span to copy
    // the connection id onto (the message span has it already).
    () => runWithLogFields(connection.logFields, () => context.with(ctx, emitNow)),
    quietly((error) => {
      collecting = previous;
      if (!span) return;
      if (error !== undefined) {
        // A listener threw: the error still reaches the app (rethrown by safeExecuteInTheMiddle).
        recordError(span, error);
        span.end();
      } else {
        endWhenSettled(connection, span, promises);
      }
    }),
  );
}

function endWhenSettled(connection: Connection, span: Span, promises: PromiseLike<unknown>[]): void {
  if (promises.length === 0) {
    span.end();
    return;
  }
  (connection.pending ??= new Set()).add(span);
  let left = promises.length;
  const settle = () => {
    // Already ended by the close if it is no longer pending.
    if (--left === 0 && connection.pending?.delete(span)) span.end();
  };
  for (const promise of promises) {
    try {
      promise.then(settle, (error: unknown) => {
        if (connection.pending?.has(span)) recordError(span, error);
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
    const active = trace.getActiveSpan();
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

/** Size and type of send(data, options); the connection id when given. */
function sendAttributes(args: IArguments, connection: Connection | undefined): Attributes {
  const data = args[0];
  const options = args[1] as { binary?: boolean } | undefined;
  const binary = typeof options === 'object' && options !== null && options.binary !== undefined ? options.binary : typeof data !== 'string';
  const attributes: Attributes = { [ATTR_MESSAGE_SIZE]: messageSize(data), [ATTR_MESSAGE_TYPE]: binary ? 'binary' : 'text' };
  if (connection) attributes[ATTR_CONNECTION_ID] = connection.id;
  return attributes;
}
