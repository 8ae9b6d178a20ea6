// The preload on real apps: ESM with named imports, CommonJS (--import and
// --require), TypeScript under tsx. One inbound request makes a fetch and an
// http.request; the receiver must get one trace with the server span as the
// parent of both client spans, and the upstream must see the traceparent.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FIXTURES, Fixture, ROOT } from './helpers/run-fixture.ts';
import type { ReceivedSpan } from './helpers/otlp-receiver.ts';
import { useTestServers } from './helpers/servers.ts';

const SERVER = 2;
const CLIENT = 3;

const servers = useTestServers();

const TSX = `${ROOT}node_modules/tsx/dist/loader.mjs`;

const CASES = [
  { name: 'ESM app, --import', args: ['--import', 'callscope/register', 'http-app.mjs'] },
  { name: 'CJS app, --import', args: ['--import', 'callscope/register', 'http-app.cjs'] },
  { name: 'CJS app, --require', args: ['--require', 'callscope/register', 'http-app.cjs'] },
  { name: 'TypeScript app under tsx', args: ['--import', 'callscope/register', '--import', TSX, 'http-app.ts'] },
  { name: 'ESM app, register loaded twice', args: ['--import', 'callscope/register', '--require', 'callscope/register', 'http-app.mjs'] },
];

describe('callscope/register', () => {
  for (const { name, args } of CASES) {
    test(name, async () => {
      const service = `fixture-${name.replace(/[^a-z]+/gi, '-').toLowerCase()}`;
      const app = new Fixture({
        args,
        cwd: FIXTURES,
        env: { OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: servers.receiver.url, UPSTREAM_URL: servers.upstream.url, FIXTURE_REQUESTS: '1' },
      });
      try {
        const port = (await app.waitForOutput(/listening \d+/)).split(' ')[1];
        const answer = await fetch(`http://127.0.0.1:${port}/work`);
        assert.equal(await answer.text(), 'fetch=200 request=200');
        const result = await app.exited;
        assert.equal(result.code, 0, `exit status; stderr: ${result.stderr}`);

        const mine = (s: ReceivedSpan) => s.resource['service.name'] === service;
        await servers.receiver.waitFor((r) => r.spans.filter(mine).length >= 3, 10000, `3 spans of ${service}`);
        const spans = servers.receiver.spans.filter(mine);
        const server = spans.find((s) => s.kind === SERVER);
        assert.ok(server, `a server span; got ${spans.map((s) => `${s.name}/${s.kind}`).join(', ')}`);
        assert.equal(server.attributes['http.request.method'], 'GET');
        assert.equal(server.attributes['url.path'], '/work');
        assert.equal(server.attributes['http.response.status_code'], 200);

        const clients = spans.filter((s) => s.kind === CLIENT);
        assert.equal(clients.length, 2, 'one client span for fetch, one for http.request');
        for (const client of clients) {
          assert.equal(client.traceId, server.traceId, 'client spans are in the server span trace');
          assert.equal(client.parentSpanId, server.spanId, 'client spans are children of the server span');
          assert.equal(client.attributes['http.response.status_code'], 200);
          assert.equal(client.attributes['server.address'], '127.0.0.1');
        }
        assert.deepEqual(clients.map((c) => c.scope).sort(), ['@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-undici']);

        const seen = servers.upstream.requests.filter((r) => r.path === '/fetch' || r.path === '/request').slice(-2);
        for (const request of seen) {
          const traceparent = String(request.headers.traceparent ?? '');
          assert.match(traceparent, new RegExp(`^00-${server.traceId}-[0-9a-f]{16}-01$`), `traceparent on ${request.path}`);
        }
        // X-Ray style trace id: the first 8 hex digits are a recent epoch second.
        const seconds = parseInt(server.traceId.slice(0, 8), 16);
        assert.ok(Math.abs(seconds - Date.now() / 1000) < 600, 'trace id starts with the current time');

        const startLines = result.stderr.split('\n').filter((line) => line.includes('callscope') && line.includes('started'));
        assert.equal(startLines.length, 1, `one start-up line; stderr: ${result.stderr}`);
      } finally {
        app.kill();
      }
    });
  }
});
