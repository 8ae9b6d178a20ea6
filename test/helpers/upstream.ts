// A plain HTTP server that fixture apps call as their "external API". It
// records each request's method, path and headers (traceparent included) and
// answers per path: /status/<code> answers that status, /slow/<ms> waits first.

import { once } from 'node:events';
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface UpstreamRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export class Upstream {
  readonly requests: UpstreamRequest[] = [];
  private readonly server = createServer((req, res) => {
    const path = req.url ?? '/';
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    req.resume();
    req.on('end', () => {
      const status = /^\/status\/(\d{3})/.exec(path);
      const slow = /^\/slow\/(\d+)/.exec(path);
      const answer = () => {
        res.writeHead(status ? Number(status[1]) : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: !status || Number(status[1]) < 400, path }));
      };
      if (slow) setTimeout(answer, Number(slow[1]));
      else answer();
    });
  });

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
