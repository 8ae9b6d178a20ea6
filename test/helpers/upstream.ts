// A plain HTTP server that fixture apps call as their "external API". It
// records each request's method, path and headers (traceparent included) and
// answers per path: /status/<code> answers that status, /slow/<ms> waits first.

import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { LoopbackServer } from './loopback-server.ts';

export interface UpstreamRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export class Upstream extends LoopbackServer {
  readonly requests: UpstreamRequest[] = [];

  protected handle(req: IncomingMessage, res: ServerResponse): void {
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
  }



}
