// The ws instrumentation on a real server, ESM (named imports) and CJS: the
// handshake continues the client's trace; a message whose listener calls fetch,
// the openai client and Bedrock is one new trace, linked to the handshake, with
// those calls as children; close codes carry their severity; a client connection made
// inside a handler is a CLIENT span whose traceparent reaches the remote end.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';
import { FakeApis } from './helpers/fake-apis.ts';
import { Upstream } from './helpers/upstream.ts';
import {
  CLIENT, CONSUMER, PlainWsServer, SERVER, ask, closed, nextMessages, of, openClient, startWsFixture, traceparent,
} from './helpers/ws-harness.ts';

let receiver: OtlpReceiver;
let upstream: Upstream;
let apis: FakeApis;
let remote: PlainWsServer;
before(async () => {
  receiver = await new OtlpReceiver().start();
  upstream = await new Upstream().start();
  apis = await new FakeApis().start();
  remote = await new PlainWsServer().start();
});
after(async () => {
  await Promise.all([receiver.stop(), upstream.stop(), apis.stop(), remote.stop()]);
});

const named = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);
/** What a span records (attributes, events, links) as text, to look for leaked payloads. */
const recorded = (span: ReceivedSpan) => JSON.stringify([span.name, span.attributes, span.events, span.links]);

for (const entry of ['ws-server.mjs', 'ws-server.cjs']) {
  describe(`ws server (${entry})`, () => {
    const service = `ws-${entry.replace('.', '-')}`;
    const env = () => ({ OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, UPSTREAM_URL: upstream.url, OPENAI_BASE_URL: `${apis.url}/v1`, BEDROCK_ENDPOINT: apis.url,
      // The remote ws server plays a realtime LLM endpoint: a rule classifies its connections.
      CALLSCOPE_SERVICES: `127.0.0.1:${new URL(remote.url).port}=realtime-api:llm` });
    const spans = () => receiver.spans.filter(of(service));
    let fixture: Awaited<ReturnType<typeof startWsFixture>>;
    before(async () => {
      fixture = await startWsFixture(entry, env());
    });
    after(() => fixture.app.kill());

    test('the handshake continues the client trace; a message is a new trace linked to it, with fetch, openai and bedrock as children', async () => {
      const traceId = randomBytes(16).toString('hex');
      const parentId = randomBytes(8).toString('hex');
      const ws = await openClient(`${fixture.url}/chat?token=secret-value`, { headers: { traceparent: traceparent(traceId, parentId) } });
      try {
        const replies = nextMessages(ws, 3);
        ws.send(JSON.stringify({ op: 'llm' }));
        assert.deepEqual(await replies, ['fetched 200', 'openai hi', 'embedding 3']);
      } finally {
        ws.close(1000);
      }
      await receiver.waitFor(() => named(spans(), 'ws receive /chat').length >= 1 && named(spans(), 'ws close /chat').length >= 1, 20000, 'message and close spans');

      const [upgrade] = named(spans(), 'ws upgrade /chat');
      assert.ok(upgrade, `an upgrade span; got ${spans().map((s) => s.name).join(', ')}`);
      assert.equal(upgrade.kind, SERVER);
      assert.equal(upgrade.traceId, traceId, 'the handshake continues the trace of the traceparent header');
      assert.equal(upgrade.parentSpanId, parentId);
      assert.equal(upgrade.attributes['url.path'], '/chat');
      assert.equal(upgrade.attributes['http.response.status_code'], 101);
      assert.equal(upgrade.attributes['client.address'], '127.0.0.1');
      const connectionId = upgrade.attributes['callscope.ws.connection_id'];
      assert.match(String(connectionId), /^[0-9a-f]{12}$/);
      assert.ok(!recorded(upgrade).includes('secret-value'), 'the query string is not recorded');

      const [message] = named(spans(), 'ws receive /chat');
      assert.equal(message!.kind, CONSUMER);
      assert.notEqual(message!.traceId, traceId, 'each message is its own trace');
      assert.equal(message!.parentSpanId, '');
      assert.deepEqual(message!.links.map((l) => [l.traceId, l.spanId]), [[upgrade.traceId, upgrade.spanId]]);
      assert.equal(message!.attributes['callscope.ws.connection_id'], connectionId);
      assert.equal(message!.attributes['callscope.ws.message.type'], 'text');
      assert.equal(message!.attributes['callscope.ws.message.size'], JSON.stringify({ op: 'llm' }).length);
      assert.ok(!recorded(message!).includes('"op"'), 'no payload on the span');
      assert.deepEqual(message!.events.map((e) => e.name), ['ws.send', 'ws.send', 'ws.send'], 'the three replies are events on the message span');
      assert.deepEqual(message!.events[0]!.attributes, { 'callscope.ws.message.size': 'fetched 200'.length, 'callscope.ws.message.type': 'text' });

      await receiver.waitFor(() => spans().filter((s) => s.parentSpanId === message!.spanId).length >= 3, 10000, 'children of the message span');
      const children = spans().filter((s) => s.parentSpanId === message!.spanId);
      const fetchSpan = children.find((s) => String(s.attributes['url.full'] ?? '').endsWith('/from-ws'));
      assert.ok(fetchSpan, `fetch is a child; children: ${children.map((s) => `${s.name} (${s.scope})`).join(', ')}`);
      assert.equal(fetchSpan.kind, CLIENT);
      const openaiSpan = children.find((s) => s.scope.includes('openai'));
      assert.ok(openaiSpan, `the openai call is a child; children: ${children.map((s) => `${s.name} (${s.scope})`).join(', ')}`);
      const bedrockSpan = children.find((s) => s.attributes['rpc.service'] === 'BedrockRuntime');
      assert.ok(bedrockSpan, `the Bedrock call is a child; children: ${children.map((s) => `${s.name} (${s.scope})`).join(', ')}`);
      // Classified by the span processors like any outbound call.
      assert.equal(openaiSpan.attributes['callscope.service.category'], 'llm');
      assert.equal(bedrockSpan.attributes['callscope.service.name'], 'aws.bedrock-runtime');
      // The listener is async: the message span lasts until it settles, past the awaited fetch.
      // (The openai and aws-sdk instrumentations end their spans in callbacks that can run just
      // after the app's await resumes, so only their starts are compared.)
      assert.ok(fetchSpan.endNs <= message!.endNs, 'the awaited fetch ends inside the message span');
      assert.ok(openaiSpan.startNs <= message!.endNs, 'the openai call starts inside the message span');
      // Bedrock starts only after the awaited fetch and openai calls returned: the span outlived both awaits.
      assert.ok(bedrockSpan.startNs <= message!.endNs, 'the Bedrock call, made after two awaits, starts inside the message span');
      const seen = upstream.requests.filter((r) => r.path === '/from-ws').at(-1);
      assert.match(String(seen?.headers.traceparent), new RegExp(`^00-${message!.traceId}-`), 'the upstream got the message trace');

      const [close] = named(spans(), 'ws close /chat');
      assert.equal(close!.attributes['callscope.ws.close.code'], 1000);
      assert.equal(close!.attributes['callscope.severity'], 'info');
      assert.equal(close!.attributes['callscope.ws.messages.received'], 1);
      assert.equal(close!.attributes['callscope.ws.messages.sent'], 3);
      assert.deepEqual(close!.links.map((l) => l.spanId), [upgrade.spanId]);
    });

    test('close codes give severities: 1001 info, 1011 error, 1006 warn', async () => {
      const cases: { path: string; act: (ws: Awaited<ReturnType<typeof openClient>>) => void; code: number; severity: string }[] = [
        { path: '/going-away', act: (ws) => ws.close(1001, 'bye'), code: 1001, severity: 'info' },
        { path: '/server-error', act: (ws) => ws.send(JSON.stringify({ op: 'close', code: 1011, reason: 'boom' })), code: 1011, severity: 'error' },
        { path: '/vanished', act: (ws) => ws.terminate(), code: 1006, severity: 'warn' },
      ];
      for (const { path, act } of cases) {
        const ws = await openClient(`${fixture.url}${path}`);
        act(ws);
        await closed(ws);
      }
      await receiver.waitFor(() => cases.every(({ path }) => named(spans(), `ws close ${path}`).length === 1), 20000, 'three close spans');
      for (const { path, code, severity } of cases) {
        const [span] = named(spans(), `ws close ${path}`);
        assert.equal(span!.attributes['callscope.ws.close.code'], code, path);
        assert.equal(span!.attributes['callscope.severity'], severity, path);
        assert.equal(span!.status.code, severity === 'error' ? 2 : 0, `${path} status`);
      }
      assert.equal(named(spans(), 'ws close /server-error')[0]!.attributes['callscope.ws.close.reason'], 'boom');
    });

    test('metrics: open connections by url.path, messages by direction', async () => {
      const point = (name: string, match: (attributes: Record<string, unknown>) => boolean) =>
        receiver.metrics.filter((m) => m.name === name && m.resource['service.name'] === service).flatMap((m) => m.points).filter((p) => match(p.attributes)).at(-1);
      const onPath = (a: Record<string, unknown>) => a['url.path'] === '/metered';
      const ws = await openClient(`${fixture.url}/metered`);
      try {
        for (let i = 0; i < 3; i++) await ask(ws, { op: 'echo', i });
        await receiver.waitFor(() => point('callscope.websocket.connections', onPath)?.value === 1 &&
          point('callscope.websocket.messages', (a) => onPath(a) && a.direction === 'sent')?.value === 3, 20000, 'metrics while open');
        assert.equal(point('callscope.websocket.messages', (a) => onPath(a) && a.direction === 'received')?.value, 3);
      } finally {
        ws.close(1000);
      }
      await receiver.waitFor(() => point('callscope.websocket.connections', onPath)?.value === 0, 20000, 'the connection gone from the gauge');
    });

    test('logs written in a message handler carry its trace ids and the connection id', async () => {
      const ws = await openClient(`${fixture.url}/logs`);
      try {
        assert.equal(await ask(ws, { op: 'log' }), 'logged');
      } finally {
        ws.close(1000);
      }
      const isLog = (l: { body: unknown; resource: Record<string, unknown> }) => l.body === 'ws handler log' && l.resource['service.name'] === service;
      await receiver.waitFor(() => receiver.logs.some(isLog) && named(spans(), 'ws receive /logs').length === 1, 20000, 'the log record and the message span');
      const log = receiver.logs.find(isLog)!;
      const [message] = named(spans(), 'ws receive /logs');
      assert.equal(log.severityNumber, 13, 'console.warn is warn');
      assert.equal(log.traceId, message!.traceId);
      assert.equal(log.spanId, message!.spanId);
      assert.equal(log.attributes['callscope.ws.connection_id'], message!.attributes['callscope.ws.connection_id']);
    });

    test('a client connection made in a handler: CLIENT span, traceparent in its handshake, no duplicate http span', async () => {
      const before = remote.handshakes.length;
      const ws = await openClient(`${fixture.url}/proxy`);
      try {
        assert.equal(await ask(ws, { op: 'connect', url: `${remote.url}/upstream?key=abc` }), 'connected 1000');
      } finally {
        ws.close(1000);
      }
      const port = Number(new URL(remote.url).port);
      await receiver.waitFor(() => spans().some((s) => s.kind === CLIENT && s.attributes['server.port'] === port), 20000, 'the client span');
      const clients = spans().filter((s) => s.kind === CLIENT && s.attributes['server.port'] === port);
      assert.equal(clients.length, 1, `one CLIENT span for the handshake; got ${clients.map((s) => `${s.name} (${s.scope})`).join(', ')}`);
      const [client] = clients;
      assert.equal(client!.name, 'ws connect 127.0.0.1');
      assert.equal(client!.attributes['server.address'], '127.0.0.1');
      // The value of `key` may be redacted by the span processors: only its presence is checked.
      assert.ok(String(client!.attributes['url.full']).startsWith(`${remote.url}/upstream?key=`), String(client!.attributes['url.full']));
      assert.equal(client!.attributes['http.response.status_code'], 101);
      assert.equal(client!.attributes['callscope.service.name'], 'realtime-api', 'classified like any outbound call (here by a CALLSCOPE_SERVICES rule)');
      assert.equal(client!.attributes['callscope.service.category'], 'llm');
      const [message] = named(spans(), 'ws receive /proxy');
      assert.equal(client!.parentSpanId, message!.spanId, 'the client handshake is a child of the message span');
      const headers = remote.handshakes.slice(before).at(-1);
      assert.equal(headers?.traceparent, traceparent(client!.traceId, client!.spanId), 'the remote end got the client span as parent');
    });
  });
}
