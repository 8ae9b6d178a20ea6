// socket.io under the preload: the upstream socket.io instrumentation gives
// `on` handlers a receive span and `emit` a send span; it propagates no context
// from the client (socket.io packets carry no traceparent). Over the websocket
// transport engine.io uses a `ws` server, so our ws message span is the root of
// each packet's trace and links it to the connection's handshake.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { io } from 'socket.io-client';
import { useTestServers } from './helpers/servers.ts';
import { CLIENT, CONSUMER, PRODUCER, of, startWsFixture } from './helpers/ws-harness.ts';

const servers = useTestServers();

test('socket.io emit/on spans; a handler fetch is their child; the ws packet span is the root, linked to the handshake', async () => {
  const service = 'ws-socketio';
  const fixture = await startWsFixture('ws-socketio.mjs', { OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: servers.receiver.url, UPSTREAM_URL: servers.upstream.url });
  after(() => fixture.app.kill());
  const client = io(fixture.url.replace('ws:', 'http:'), { transports: ['websocket'], reconnection: false });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('connect_error', reject);
    });
    const reply = new Promise<unknown>((resolve) => client.once('reply', resolve));
    assert.equal(await client.timeout(20000).emitWithAck('ask', { q: 'why' }), 'fetched 200');
    assert.deepEqual(await reply, { to: 'why' });
  } finally {
    client.close();
  }
  const spans = () => servers.receiver.spans.filter(of(service));
  const isAsk = (s: { scope: string; attributes: Record<string, unknown> }) =>
    s.scope.includes('socket.io') && s.attributes['messaging.socket.io.event_name'] === 'ask';
  const isReply = (s: { scope: string; kind: number; attributes: Record<string, unknown> }) =>
    s.scope.includes('socket.io') && s.kind === PRODUCER && s.attributes['messaging.socket.io.event_name'] === 'reply';
  const isFetch = (s: { kind: number; attributes: Record<string, unknown> }) => s.kind === CLIENT && String(s.attributes['url.full']).endsWith('/from-socketio');
  // Spans arrive in batches: wait for every one the assertions read.
  await servers.receiver.waitFor(() => {
    const ask = spans().find(isAsk);
    return ask !== undefined && spans().some(isReply) && spans().some(isFetch) && spans().some((s) => s.spanId === ask.parentSpanId) &&
      spans().some((s) => s.name === 'ws close /socket.io/');
  }, 20000, 'socket.io and ws spans');

  const ask = spans().find(isAsk)!;
  assert.equal(ask.kind, CONSUMER);
  assert.equal(ask.attributes['messaging.system'], 'socket.io');
  const send = spans().find(isReply);
  assert.ok(send, 'emit(reply) is a send span');
  assert.equal(send.parentSpanId, ask.spanId, 'the emit inside the handler is a child of its receive span');
  const fetchSpan = spans().find(isFetch);
  assert.equal(fetchSpan?.parentSpanId, ask.spanId, 'the fetch in the handler is a child of the receive span');

  const packet = spans().find((s) => s.spanId === ask.parentSpanId);
  assert.equal(packet?.name, 'ws receive /socket.io/', 'the socket.io receive span sits under the ws packet span');
  assert.equal(packet.parentSpanId, '', 'no context came from the client');
  const [upgrade] = spans().filter((s) => s.name === 'ws upgrade /socket.io/');
  assert.deepEqual(packet.links.map((l) => l.spanId), [upgrade!.spanId]);
});
