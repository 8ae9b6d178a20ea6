// The life of one connection: its state, the handshake spans (server and
// client), and the close. Functions of a `Host` (the instrumentation) so that
// they can be read without the patching machinery around them.

import { type Context, type Span, type Tracer, ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  ATTR_CLOSE_CODE, ATTR_CLOSE_REASON, ATTR_CONNECTION_DURATION, ATTR_CONNECTION_ID, ATTR_MESSAGES_RECEIVED, ATTR_MESSAGES_SENT,
  ATTR_PROTOCOL, ATTR_SEVERITY, closeReason, closeSeverity, pathOf,
} from './attributes.js';
import { CONNECTION, type Connection, type WsSocket } from './internal-types.js';
import type { WsMetrics } from './metrics.js';

export interface Host {
  readonly wsTracer: Tracer;
  readonly wsMetrics: WsMetrics;
}

export function connectionId(): string {
  return randomBytes(6).toString('hex');
}

function attach(ws: WsSocket, connection: Connection): Connection {
  // Non-enumerable: the app may serialize or inspect its socket objects.
  Object.defineProperty(ws, CONNECTION, { value: connection, configurable: true, writable: true, enumerable: false });
  return connection;
}

export function markOpen(connection: Connection): void {
  if (connection.open) return;
  connection.open = true;
  connection.openedAt = Date.now();
  connection.metrics.active++;
}

export function recordError(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  span.setAttribute('error.type', (err as NodeJS.ErrnoException).code ?? err.name);
  span.setAttribute(ATTR_SEVERITY, 'error');
}

/** Server side: the SERVER span of an upgrade, in the trace of the client's traceparent if it sent one. */
export class ServerHandshake {
  readonly span: Span;
  readonly context: Context;
  readonly id = connectionId();
  readonly logFields = { [ATTR_CONNECTION_ID]: this.id };
  private readonly path: string;
  private status: number | undefined;
  private done = false;
  private readonly socket: Duplex;
  private readonly onSocketClose = () => this.end('handshake_aborted');
  private restoreWrite: (() => void) | undefined;

  constructor(host: Host, req: IncomingMessage, socket: Duplex) {
    this.socket = socket;
    this.path = pathOf(req.url);
    const peer = socket as Duplex & { remoteAddress?: string; remotePort?: number; encrypted?: boolean };
    const forwarded = req.headers['x-forwarded-for'];
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    this.span = host.wsTracer.startSpan(`ws upgrade ${this.path}`, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': req.method ?? 'GET',
        'url.path': this.path,
        'url.scheme': peer.encrypted ? 'wss' : 'ws',
        'client.address': (typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim() : undefined) || peer.remoteAddress,
        'network.peer.address': peer.remoteAddress,
        'network.peer.port': peer.remotePort,
        'user_agent.original': req.headers['user-agent'],
        [ATTR_CONNECTION_ID]: this.id,
      },
    }, parent);
    this.context = trace.setSpan(parent, this.span);
    socket.once('close', this.onSocketClose);
    this.sniffStatus();
  }

  /** The upgrade completed: the socket now belongs to `ws`. */
  accept(host: Host, ws: WsSocket): void {
    this.status ??= 101;
    if (ws.protocol) this.span.setAttribute(ATTR_PROTOCOL, ws.protocol);
    const connection = attach(ws, {
      id: this.id, logFields: this.logFields, side: 'server', target: this.path, handshake: this.span.spanContext(), pendingHandshake: undefined,
      metrics: host.wsMetrics.entry('url.path', this.path), open: false, openedAt: 0, received: 0, sent: 0,
      lastError: undefined, pending: undefined,
    });
    markOpen(connection);
  }

  /** Ends the span once: after the app's connection callback, or when the socket closes before that. */
  end(errorType?: string, error?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.socket.removeListener('close', this.onSocketClose);
    this.restoreWrite?.();
    if (this.status !== undefined) this.span.setAttribute('http.response.status_code', this.status);
    if (error !== undefined) recordError(this.span, error);
    else if (this.status !== undefined && this.status >= 500) {
      this.span.setStatus({ code: SpanStatusCode.ERROR });
      this.span.setAttribute(ATTR_SEVERITY, 'error');
    } else if (errorType && this.status === undefined) {
      // The client went away mid-handshake: not our failure, but not normal either.
      this.span.setAttribute('error.type', errorType);
      this.span.setAttribute(ATTR_SEVERITY, 'warn');
    }
    this.span.end();
  }

  /**
   * `ws` answers a handshake by writing the status line straight to the socket:
   * write() for the 101, end() for a rejection (400, or 401/… from verifyClient).
   * Peek at the first of those calls to learn the status, then step aside: the
   * own properties then hold the inherited methods themselves (no wrapper left).
   */
  private sniffStatus(): void {
    type Writer = (this: unknown, ...args: unknown[]) => unknown;
    const socket = this.socket as unknown as Record<'write' | 'end', Writer>;
    const names = ['write', 'end'] as const;
    if (names.some((name) => Object.prototype.hasOwnProperty.call(socket, name))) return;
    const peeks = new Map<string, Writer>();
    const inherited = Object.getPrototypeOf(socket) as typeof socket;
    const restore = () => {
      this.restoreWrite = undefined;
      // The own properties stay, pointing at the inherited methods: deleting them would turn
      // the socket into a dictionary-mode object (ws adds its own properties after ours), and
      // every property access of net/stream code on it would be slow for the rest of the
      // connection — it cost a third of the echo throughput. (The price: a patch of the socket
      // prototype's write/end made after this handshake does not reach this socket.)
      for (const [name, peek] of peeks) if (socket[name as 'write'] === peek) socket[name as 'write'] = inherited[name as 'write'];
    };
    const handshake = this;
    for (const name of names) {
      const peek: Writer = function (...args) {
        restore();
        const match = typeof args[0] === 'string' ? /^HTTP\/1\.1 (\d{3})/.exec(args[0]) : null;
        if (match) handshake.status = Number(match[1]);
        return inherited[name].apply(this, args);
      };
      peeks.set(name, peek);
      socket[name] = peek;
    }
    this.restoreWrite = restore;
  }
}

/** Client side: `new WebSocket(url)` gets a CLIENT span, and its handshake request the traceparent. */
export function startClientHandshake(host: Host, ws: WsSocket, request: { setHeader(name: string, value: string): unknown }): void {
  let url: URL;
  try {
    url = new URL(ws.url);
  } catch {
    return;
  }
  const secure = url.protocol === 'wss:';
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const parent = context.active();
  const span = host.wsTracer.startSpan(`ws connect ${url.hostname}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'server.address': url.hostname,
      'server.port': port,
      'url.full': `${url.protocol}//${url.host}${url.pathname}${url.search}`,
      'url.scheme': url.protocol.slice(0, -1),
      'url.path': url.pathname,
      'http.request.method': 'GET',
    },
  }, parent);
  const id = connectionId();
  span.setAttribute(ATTR_CONNECTION_ID, id);
  attach(ws, {
    id, logFields: { [ATTR_CONNECTION_ID]: id }, side: 'client', target: url.hostname, handshake: span.spanContext(), pendingHandshake: span,
    metrics: host.wsMetrics.entry('server.address', url.hostname), open: false, openedAt: 0, received: 0, sent: 0,
    lastError: undefined, pending: undefined,
  });
  injectInto(span, request);
}

/** Also used for each redirect's new request: the same span, the same traceparent. */
export function injectInto(span: Span, request: { setHeader(name: string, value: string): unknown }): void {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  for (const [name, value] of Object.entries(carrier)) request.setHeader(name, value);
}

/** Client: the events that end the handshake span (emit 'upgrade' / 'unexpected-response' / 'open' / 'error'). */
export function clientHandshakeEvent(connection: Connection, event: string, arg: unknown): void {
  const span = connection.pendingHandshake;
  if (!span) return;
  if (event === 'upgrade' || event === 'unexpected-response') {
    const response = (event === 'upgrade' ? arg : (arg as unknown[])[1]) as { statusCode?: number } | undefined;
    if (response?.statusCode) span.setAttribute('http.response.status_code', response.statusCode);
    if (event === 'unexpected-response' && (response?.statusCode ?? 0) >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
    return;
  }
  connection.pendingHandshake = undefined;
  if (event === 'open') {
    markOpen(connection);
  } else {
    recordError(span, arg);
  }
  span.end();
}

/** `close` was emitted: ends what is still open and records code, reason and the connection's totals. */
export function closeConnection(host: Host, connection: Connection, code: unknown, reason: unknown): void {
  const closeCode = typeof code === 'number' ? code : 1005;
  if (connection.pendingHandshake) {
    // The client never opened: the handshake span tells the story, no close span.
    const span = connection.pendingHandshake;
    connection.pendingHandshake = undefined;
    recordError(span, connection.lastError ?? new Error(`connection closed before the handshake completed (${closeCode})`));
    span.end();
    return;
  }
  for (const message of connection.pending ?? []) message.finish(true);
  connection.pending = undefined;
  if (!connection.open) return;
  connection.open = false;
  connection.metrics.active--;

  const severity = closeSeverity(closeCode);
  const span = host.wsTracer.startSpan(`ws close ${connection.target}`, {
    kind: SpanKind.INTERNAL,
    links: [{ context: connection.handshake }],
    attributes: {
      [ATTR_CONNECTION_ID]: connection.id,
      [ATTR_CLOSE_CODE]: closeCode,
      [ATTR_CLOSE_REASON]: closeReason(reason),
      [ATTR_MESSAGES_RECEIVED]: connection.received,
      [ATTR_MESSAGES_SENT]: connection.sent,
      [ATTR_CONNECTION_DURATION]: Date.now() - connection.openedAt,
      [ATTR_SEVERITY]: severity,
    },
  }, ROOT_CONTEXT);
  if (connection.lastError) {
    span.recordException(connection.lastError);
    span.setAttribute('error.type', (connection.lastError as NodeJS.ErrnoException).code ?? connection.lastError.name);
  }
  if (severity === 'error') span.setStatus({ code: SpanStatusCode.ERROR, message: `close code ${closeCode}` });
  span.end();
}
