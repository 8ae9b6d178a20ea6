// Shapes of the parts of `ws` we touch, and the per-connection state we keep.
// Only what the instrumentation reads is typed; `ws` internals (`_req`) are
// named here so that every dependency on them is in one place.

import type { Context, Span, SpanContext } from '@opentelemetry/api';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ConnectionMetrics } from './metrics.js';

/** Own state on a WebSocket instance, under a symbol (never an enumerable field). */
export const CONNECTION: unique symbol = Symbol('callscope.ws.connection');
/** Storage for the `_req` accessor installed on WebSocket.prototype. */
export const REQUEST: unique symbol = Symbol('callscope.ws.request');

export interface Connection {
  /** Short random id, also on every message/close span and on logs. */
  id: string;
  /** `{ 'callscope.ws.connection_id': id }`, made once: the log context of the connection's handlers. */
  logFields: Record<string, unknown>;
  side: 'server' | 'client';
  /** Request path (server) or host (client): the low-cardinality part used in span names. */
  target: string;
  /** The handshake span's context: message and close spans link to it. */
  handshake: SpanContext;
  /** Client only: the handshake span until the connection opens or fails. */
  pendingHandshake: Span | undefined;
  metrics: ConnectionMetrics;
  /** Counted in callscope.websocket.connections (so the close decrements exactly once). */
  open: boolean;
  openedAt: number;
  received: number;
  sent: number;
  /** The last `error` event: reported on the close span. */
  lastError: Error | undefined;
  /** The context message handlers start from (no span, the log fields); made at the first message. */
  messageBase?: Context;
  /** Messages waiting for an async listener; finished (marked unfinished) on close at the latest. */
  pending: Set<{ finish(unfinished: boolean): void }> | undefined;
}

export interface WsSocket extends EventEmitter {
  [CONNECTION]?: Connection;
  [REQUEST]?: unknown;
  readonly url: string;
  readonly protocol: string;
  send(data: unknown, options?: unknown, cb?: unknown): void;
}

export type UpgradeCallback = (ws: WsSocket, req: IncomingMessage) => void;

export interface WsServer extends EventEmitter {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: UpgradeCallback): void;
}

export type WsConstructor = { prototype: WsSocket };
export type WsServerConstructor = { prototype: WsServer };

/** What `require('ws')` and `import * as ws from 'ws'` both have. */
export interface WsModule {
  WebSocket?: WsConstructor;
  WebSocketServer?: WsServerConstructor;
}
