// OpenTelemetry instrumentation for `ws` 8 (server and client).
//
// Everything is patched on prototypes — WebSocketServer.prototype.handleUpgrade,
// WebSocket.prototype.emit/on/send and a `_req` accessor — never the module's
// exports, so CommonJS `require('ws')` and ESM `import { WebSocket } from 'ws'`
// (whose wrapper.mjs re-exports the same classes) are covered by one patch.
//
// Rules every hook here follows: our own code runs under safeExecuteInTheMiddle
// with errors swallowed (a bug of ours never reaches the app); the app's code
// runs under safeExecuteInTheMiddle with errors rethrown (the app sees exactly
// what it would see without us); no listener is added to app-visible emitters
// except a short-lived `close` listener on the raw socket during a handshake.

import { context } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, isWrapped, safeExecuteInTheMiddle } from '@opentelemetry/instrumentation';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { withLogFieldsInContext } from '../logs/context.js';
import { VERSION } from '../state.js';
import { ServerHandshake, clientHandshakeEvent, closeConnection, injectInto, startClientHandshake } from './connection.js';
import { CONNECTION, type Connection, REQUEST, type UpgradeCallback, type WsModule, type WsServer, type WsSocket } from './internal-types.js';
import { emitMessage, ignore, noteSend, quietly, sendInSpan, trackListener } from './messages.js';
import { WsMetrics } from './metrics.js';
import type { MessageSpans, WsInstrumentationConfig } from './types.js';

type AnyFunction = (this: any, ...args: any[]) => any;
/** The ws-internal field the client handshake request is assigned to. */
const REQUEST_KEY = '_req';
const ADD_METHODS = ['on', 'addListener', 'prependListener'] as const;
/** Events that only observe (never change) what the app gets. */
const OBSERVED = new Set(['open', 'upgrade', 'unexpected-response', 'error', 'close']);
// The base class calls _updateMetricInstruments() from its constructor, before
// our own fields exist, so the metrics live beside the instance.
const METRICS = new WeakMap<object, WsMetrics>();

export class WsInstrumentation extends InstrumentationBase<WsInstrumentationConfig> {
  constructor(config: WsInstrumentationConfig = {}) {
    super('callscope/instrumentation-ws', VERSION, config);
  }

  get wsTracer() {
    return this.tracer;
  }

  get wsMetrics(): WsMetrics {
    let metrics = METRICS.get(this);
    if (!metrics) METRICS.set(this, (metrics = new WsMetrics()));
    return metrics;
  }

  protected override _updateMetricInstruments(): void {
    this.wsMetrics.register(this.meter);
  }

  // Read on every message: resolved once per configuration, not per call.
  private resolved: { messageSpans: MessageSpans; sendSpans: boolean } | undefined;

  override setConfig(config: WsInstrumentationConfig = {}): void {
    super.setConfig(config);
    this.resolved = undefined;
  }

  /** 'traced', 'all', 'none' or a ratio in [0, 1] (anything else reads as 'traced', the default). */
  get messageSpans(): MessageSpans {
    return (this.resolved ??= this.resolve()).messageSpans;
  }

  get sendSpans(): boolean {
    return (this.resolved ??= this.resolve()).sendSpans;
  }

  private resolve(): { messageSpans: MessageSpans; sendSpans: boolean } {
    const { messageSpans: mode, sendSpans } = this.getConfig();
    const valid = mode === 'none' || mode === 'all' || (typeof mode === 'number' && mode >= 0 && mode < 1);
    return { messageSpans: valid ? mode : typeof mode === 'number' && mode >= 1 ? 'all' : 'traced', sendSpans: sendSpans === true };
  }

  protected init() {
    return new InstrumentationNodeModuleDefinition('ws', ['>=8 <9'], (exports: WsModule) => this.patch(exports), (exports: WsModule) => this.unpatch(exports));
  }

  private patch(exports: WsModule): WsModule {
    const server = exports?.WebSocketServer?.prototype;
    const socket = exports?.WebSocket?.prototype;
    // CJS and ESM hand us the same classes: patch once.
    if (server && !wrappedHere(server, 'handleUpgrade')) this._wrap(server, 'handleUpgrade', (original) => this.wrapHandleUpgrade(original));
    if (socket && !wrappedHere(socket, 'emit')) {
      this._wrap(socket, 'emit', (original) => this.wrapEmit(original));
      this._wrap(socket, 'send', (original) => this.wrapSend(original));
      for (const name of ADD_METHODS) this._wrap(socket, name, (original) => this.wrapAddListener(original as AnyFunction) as never);
      this.defineRequestAccessor(socket);
      clientPatched = true;
    }
    return exports;
  }

  private unpatch(exports: WsModule): void {
    const server = exports?.WebSocketServer?.prototype;
    const socket = exports?.WebSocket?.prototype;
    if (server && wrappedHere(server, 'handleUpgrade')) this._unwrap(server, 'handleUpgrade');
    if (socket && wrappedHere(socket, 'emit')) {
      for (const name of ['emit', 'send', ...ADD_METHODS] as const) this._unwrap(socket, name);
      delete (socket as Partial<WsSocket>)[REQUEST_KEY as never];
      clientPatched = false;
    }
  }

  /** Server: the handshake span around handleUpgrade, ended after the app's connection callback. */
  private wrapHandleUpgrade(original: WsServer['handleUpgrade']): WsServer['handleUpgrade'] {
    const instrumentation = this;
    return function handleUpgrade(this: WsServer, req: IncomingMessage, socket: Duplex, head: Buffer, cb: UpgradeCallback) {
      if (typeof cb !== 'function') return Reflect.apply(original, this, arguments);
      const handshake = safeExecuteInTheMiddle(() => new ServerHandshake(instrumentation, req, socket), ignore, true);
      if (!handshake) return Reflect.apply(original, this, arguments);
      const accepted = function (this: unknown, ws: WsSocket) {
        safeExecuteInTheMiddle(() => handshake.accept(instrumentation, ws), ignore, true);
        return safeExecuteInTheMiddle(
          () => context.with(withLogFieldsInContext(handshake.context, handshake.logFields), () => Reflect.apply(cb, this, arguments)),
          quietly((error) => handshake.end(undefined, error)),
        );
      };
      return safeExecuteInTheMiddle(
        () => Reflect.apply(original, this, [req, socket, head, accepted]),
        quietly((error) => error !== undefined && handshake.end(undefined, error)),
      );
    };
  }

  private wrapEmit(original: WsSocket['emit']): WsSocket['emit'] {
    const instrumentation = this;
    // No closure and no escaping `arguments` here: this runs for every event of every socket.
    return function emit(this: WsSocket, event: string | symbol, first?: unknown, second?: unknown) {
      const connection = this[CONNECTION];
      if (connection === undefined) return Reflect.apply(original, this, arguments);
      if (event === 'message') {
        // ws emits every message as (data, isBinary); an app replaying one may pass fewer.
        if (connection.side === 'server' && arguments.length <= 3) {
          return emitMessage(instrumentation, instrumentation.messageSpans, this, connection, original, arguments.length, first, second);
        }
        // Client side: counted only (a realtime API can stream hundreds of events a second). Also a
        // server-side 'message' emitted by hand with extra arguments: passed on as it is, counted.
        connection.received++;
        connection.metrics.received++;
      } else if (typeof event === 'string' && OBSERVED.has(event)) {
        instrumentation.observe(connection, event, first, second);
      }
      return Reflect.apply(original, this, arguments);
    };
  }

  /** open/upgrade/unexpected-response/error/close on a connection (never throws). */
  private observe(connection: Connection, event: string, first: unknown, second: unknown): void {
    try {
      if (event === 'close') return closeConnection(this, connection, first, second);
      if (event === 'error') connection.lastError = first instanceof Error ? first : new Error(String(first));
      clientHandshakeEvent(connection, event, event === 'unexpected-response' ? [first, second] : first);
    } catch {
      // never into the app
    }
  }

  private wrapSend(original: WsSocket['send']): WsSocket['send'] {
    const instrumentation = this;
    return function send(this: WsSocket, data: unknown, options: unknown) {
      const connection = this[CONNECTION];
      if (connection !== undefined) {
        if (instrumentation.sendSpans) return sendInSpan(instrumentation, this, connection, original, arguments);
        noteSend(connection, data, options);
      }
      return Reflect.apply(original, this, arguments);
    };
  }

  /** on/addListener/prependListener('message', fn) on a server connection: fn is tracked (see messages.ts). */
  private wrapAddListener(original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function addListener(this: WsSocket, event: unknown, listener: unknown) {
      if (
        event === 'message' && typeof listener === 'function' &&
        // A once() wrapper already carries `.listener`; wrapping it again would break its self-removal.
        (listener as { listener?: unknown }).listener === undefined &&
        this[CONNECTION]?.side === 'server' && instrumentation.messageSpans !== 'none'
      ) {
        return Reflect.apply(original, this, [event, trackListener(listener as AnyFunction)]);
      }
      return Reflect.apply(original, this, arguments);
    };
  }

  /**
   * Client: ws's constructor cannot be patched without replacing the export,
   * but it assigns `websocket._req = request(opts)` before sending the
   * handshake. An accessor on the prototype sees that assignment: the CLIENT
   * span starts there and its traceparent goes into the not-yet-sent headers.
   */
  private defineRequestAccessor(prototype: WsSocket): void {
    const instrumentation = this;
    Object.defineProperty(prototype, REQUEST_KEY, {
      configurable: true,
      get(this: WsSocket) {
        return this[REQUEST];
      },
      set(this: WsSocket, request: unknown) {
        this[REQUEST] = request;
        if (request && typeof (request as { setHeader?: unknown }).setHeader === 'function') {
          safeExecuteInTheMiddle(() => instrumentation.onClientRequest(this, request as never), ignore, true);
        }
      },
    });
  }

  private onClientRequest(ws: WsSocket, request: { setHeader(name: string, value: string): unknown }): void {
    const connection = ws[CONNECTION];
    if (connection === undefined) startClientHandshake(this, ws, request);
    // A redirect: the new request carries the same handshake span's context.
    else if (connection.pendingHandshake) injectInto(connection.pendingHandshake, request);
  }
}

/**
 * Wrapped on this very prototype. `emit` and the add-listener methods are
 * inherited from EventEmitter.prototype, which another tool may have wrapped:
 * that must not read as "already patched by us".
 */
function wrappedHere(prototype: object, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(prototype, name) && isWrapped((prototype as Record<string, unknown>)[name]);
}

/** Whether some ws module has been patched by us (so its client handshakes get our CLIENT span). */
let clientPatched = false;

/**
 * For the http instrumentation's ignoreOutgoingRequestHook: a ws client
 * handshake is traced here, as one CLIENT span classified as a WebSocket
 * connection; an http span for the same request would count the call twice.
 * Recognised by the options only ws builds (a Sec-WebSocket-Key header next to
 * ws's protocolVersion and maxPayload).
 */
export function isTracedWsHandshake(options: unknown): boolean {
  if (!clientPatched || typeof options !== 'object' || options === null) return false;
  const opts = options as { headers?: Record<string, unknown>; protocolVersion?: unknown; maxPayload?: unknown };
  return typeof opts.protocolVersion === 'number' && opts.maxPayload !== undefined && opts.headers?.['Sec-WebSocket-Key'] !== undefined;
}

