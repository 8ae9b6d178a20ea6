// Shared by the ws tests: start a ws fixture under the preload, talk to it with
// a plain (uninstrumented: the test process has no preload) ws client, and a
// plain ws server as the remote end of the client tests.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { Fixture } from './run-fixture.ts';
import type { ReceivedSpan } from './otlp-receiver.ts';

export const SERVER = 2;
export const CLIENT = 3;
export const PRODUCER = 4;
export const CONSUMER = 5;

export interface WsFixture {
  app: Fixture;
  url: string;
}

export async function startWsFixture(entry: string, env: Record<string, string | undefined>, nodeArgs: string[] = []): Promise<WsFixture> {
  const app = new Fixture({ args: [...nodeArgs, '--import', 'callscope/register', entry], env, timeoutMs: 120000 });
  const port = (await app.waitForOutput(/listening \d+/, 30000)).split(' ')[1];
  return { app, url: `ws://127.0.0.1:${port}` };
}

/** Opens a client and resolves once it is open; rejects on error or after `timeoutMs`. */
export async function openClient(url: string, options: WebSocket.ClientOptions = {}, timeoutMs = 10000): Promise<WebSocket> {
  const ws = new WebSocket(url, options);
  const timer = setTimeout(() => ws.terminate(), timeoutMs);
  try {
    await once(ws, 'open');
    return ws;
  } finally {
    clearTimeout(timer);
  }
}

/** Sends `message` and resolves with the next text message the server sends back. */
export async function ask(ws: WebSocket, message: unknown, timeoutMs = 20000): Promise<string> {
  const reply = nextMessage(ws, timeoutMs);
  ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
  return reply;
}

export function nextMessage(ws: WebSocket, timeoutMs = 20000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
    ws.once('message', (data: Buffer) => {
      clearTimeout(timer);
      resolve(data.toString('utf8'));
    });
  });
}

/** Resolves with the next `count` text messages. */
export function nextMessages(ws: WebSocket, count: number, timeoutMs = 20000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const received: string[] = [];
    const timer = setTimeout(() => {
      ws.off('message', onMessage);
      reject(new Error(`${received.length} of ${count} replies within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (data: Buffer) => {
      received.push(data.toString('utf8'));
      if (received.length < count) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve(received);
    };
    ws.on('message', onMessage);
  });
}

/** Resolves with the close code once `ws` is closed. */
export async function closed(ws: WebSocket): Promise<number> {
  if (ws.readyState === WebSocket.CLOSED) return 1006;
  const [code] = (await once(ws, 'close')) as [number];
  return code;
}

/** Spans of one fixture (by service name). */
export const of = (service: string) => (span: ReceivedSpan) => span.resource['service.name'] === service;

export function traceparent(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}

/** A plain ws server (not instrumented) that records each handshake's headers: the remote end of the client tests. */
export class PlainWsServer {
  readonly handshakes: Record<string, string | string[] | undefined>[] = [];
  private readonly wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });

  constructor() {
    this.wss.on('connection', (ws, req) => {
      this.handshakes.push(req.headers);
      ws.on('message', () => {});
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    if (!this.wss.address()) await once(this.wss, 'listening');
    return this;
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
