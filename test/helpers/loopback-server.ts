// An HTTP server on 127.0.0.1 for tests: a free port unless one is given, and a
// stop() that also drops kept-alive connections. Subclasses answer in handle().

import { once } from 'node:events';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export abstract class LoopbackServer {
  protected readonly server = createServer((req, res) => this.handle(req, res));

  protected abstract handle(req: IncomingMessage, res: ServerResponse): void;

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
