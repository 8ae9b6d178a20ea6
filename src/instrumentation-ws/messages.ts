// Incoming messages (a CONSUMER span per message, a new trace linked to the
// handshake) and outgoing ones (an event on the active span, or a PRODUCER span).
//
// Why the listener wrapping: `emit('message')` returns when the listeners have
// *started*; an async listener (`ws.on('message', async (data) => { await
// openai… })`) is still running. The listeners we wrap hand their returned
// promise to the message being emitted, and the span ends when those settle.

import { type Attributes, type Context, ROOT_CONTEXT, SpanKind, context, trace } from '@opentelemetry/api';
import { safeExecuteInTheMiddle } from '@opentelemetry/instrumentation';
import { ATTR_CONNECTION_ID, ATTR_MESSAGE_SIZE, ATTR_MESSAGE_TYPE, messageSize } from './attributes.js';
import { type Host, recordError } from './connection.js';
import { Message, baseContext, messageOf, messageSpans, unsampledContext } from './message.js';
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

/**
 * Wraps an app `message` listener so that its returned promise reaches the message span.
 * The message is the active context the listener was called in (emitMessage's context.with);
 * it is looked up only for a listener that returned a promise.
 */
export function trackListener(listener: Listener): Listener {
  const tracked = function (this: unknown, data: unknown, isBinary: unknown): unknown {
    // ws calls listeners with (data, isBinary): a direct call, no rest array on this path.
    const result = arguments.length === 2 ? listener.call(this, data, isBinary) : Reflect.apply(listener, this, arguments);
    if (isThenable(result)) {
      const message = messageOf(context.active());
      if (message !== undefined) (message.promises ??= []).push(result);
    }
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

/**
 * emit('message', data, isBinary) on a server connection. This runs for every
 * message: one closure (the emit itself), one object for the message and the
 * one context switch; our own failures are caught inline rather than through
 * safeExecuteInTheMiddle's extra closures; the app's errors pass through unchanged.
 */
export function emitMessage(
  host: Host, mode: MessageSpans, ws: WsSocket, connection: Connection, emit: Function, arity: number, data: unknown, isBinary: unknown,
): boolean {
  connection.received++;
  connection.metrics.received++;
  // A direct call with the arguments as given (ws's own two, or fewer from an app replaying a
  // message): V8 can inline the emit.
  const emitNow = arity === 3 ? () => emit.call(ws, 'message', data, isBinary) as boolean
    : arity === 2 ? () => emit.call(ws, 'message', data) as boolean
    : () => emit.call(ws, 'message') as boolean;
  let message: Message | undefined;
  let handledIn: Context;
  try {
    if (mode === 'traced') handledIn = message = new Message(host, connection, data, isBinary);
    else if (mode === 'none') handledIn = baseContext(connection);
    else if (mode === 'all' || Math.random() < mode) (handledIn = message = new Message(host, connection, data, isBinary)).materialize();
    else handledIn = unsampledContext(connection);
  } catch {
    message = undefined;
    handledIn = connection.messageBase ?? ROOT_CONTEXT;
  }
  if (message === undefined) return context.with(handledIn, emitNow);
  let result: boolean;
  try {
    result = context.with(handledIn, emitNow);
  } catch (error) {
    // A listener threw: recorded on the message span; the error still reaches the app.
    try {
      message.promises = undefined;
      recordError(message.materialize(), error);
      message.finish();
    } catch {
      // never into the app
    }
    throw error;
  }
  try {
    endWhenSettled(connection, message);
  } catch {
    // never into the app
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

/**
 * ws.send(data, options) on a connection, without send spans: counted, and an
 * event on the active span (or kept for the message span not made yet). Runs
 * before the send itself; never throws.
 */
export function noteSend(connection: Connection, data: unknown, options: unknown): void {
  connection.sent++;
  connection.metrics.sent++;
  try {
    const current = context.active();
    const message = messageOf(current);
    if (message !== undefined && message.span === undefined) {
      // Inside a message whose span does not exist (yet): keep the event's facts for it, make no span for it.
      message.bufferSend(messageSize(data), isBinarySend(data, options));
      return;
    }
    const active = trace.getSpan(current);
    if (active?.isRecording()) {
      // Inside this connection's own message span the id is already there: not repeated (it
      // was a third of the event's export cost).
      active.addEvent('ws.send', sendAttributes(data, options, messageSpans.get(active) === connection ? undefined : connection));
    }
  } catch {
    // never into the app
  }
}

/** ws.send() with CALLSCOPE_WS_SEND_SPANS: counted, and a PRODUCER span around queueing the frame. */
export function sendInSpan(host: Host, ws: WsSocket, connection: Connection, send: Function, args: IArguments): unknown {
  connection.sent++;
  connection.metrics.sent++;
  const attributes = safeExecuteInTheMiddle(() => sendAttributes(args[0], args[1], connection), ignore, true);
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
function isBinarySend(data: unknown, options: unknown): boolean {
  const binary = typeof options === 'object' && options !== null ? (options as { binary?: boolean }).binary : undefined;
  return binary !== undefined ? Boolean(binary) : typeof data !== 'string';
}

/** Size and type of send(data, options); the connection id when given. */
function sendAttributes(data: unknown, options: unknown, connection: Connection | undefined): Attributes {
  const attributes: Attributes = { [ATTR_MESSAGE_SIZE]: messageSize(data), [ATTR_MESSAGE_TYPE]: isBinarySend(data, options) ? 'binary' : 'text' };
  if (connection) attributes[ATTR_CONNECTION_ID] = connection.id;
  return attributes;
}
