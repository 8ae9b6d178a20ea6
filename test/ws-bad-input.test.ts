// The bad-input list of the ws issue, against one instrumented ESM server:
// 10 MiB frames, binary, invalid UTF-8, a TCP reset mid-frame, a TCP client
// that never completes the handshake, a rejected handshake, a throwing
// listener, terminate() mid-send, and 1,000 connections opened and dropped.
// Every time: the app sees no error of ours, no payload is recorded, every
// span started is ended (it reaches the receiver), and the server keeps serving.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type Socket, connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';
import { CONSUMER, ask, closed, of, openClient, startWsFixture } from './helpers/ws-harness.ts';

const MiB = 1024 * 1024;
const service = 'ws-bad-input';
let receiver: OtlpReceiver;
let fixture: Awaited<ReturnType<typeof startWsFixture>>;
before(async () => {
  receiver = await new OtlpReceiver().start();
  // A span for every message, even those whose handler traces nothing: the most the pipeline has to carry.
  fixture = await startWsFixture('ws-server.mjs', { OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, CALLSCOPE_WS_MESSAGE_SPANS: 'all' }, ['--expose-gc']);
});
after(async () => {
  fixture.app.kill();
  await receiver.stop();
});

const spans = () => receiver.spans.filter(of(service));
const onPath = (name: string) => spans().filter((s) => s.name === name);
const recorded = (span: ReceivedSpan) => JSON.stringify([span.name, span.attributes, span.events, span.links]);

/** The server still answers a fresh connection. */
async function stillServing(): Promise<void> {
  const ws = await openClient(`${fixture.url}/health`);
  assert.equal(await ask(ws, { op: 'echo', n: 1 }), JSON.stringify({ op: 'echo', n: 1 }));
  ws.close(1000);
}

/** A raw TCP connection that completed the WebSocket handshake (so we can send broken frames). */
async function rawUpgrade(path: string): Promise<Socket> {
  const { port } = new URL(fixture.url);
  const socket = connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  const [head] = (await once(socket, 'data')) as [Buffer];
  assert.match(head.toString('latin1'), /^HTTP\/1\.1 101 /);
  return socket;
}

describe('ws bad input', () => {
  test('10 MiB text and binary frames: sizes recorded, payloads never', async () => {
    const marker = 'PAYLOAD-MARKER-';
    const ws = await openClient(`${fixture.url}/big`);
    try {
      const text = marker.repeat(Math.ceil((10 * MiB) / marker.length)).slice(0, 10 * MiB);
      assert.equal(await ask(ws, text, 60000), `big ${10 * MiB}`);
      assert.equal(await ask(ws, Buffer.alloc(10 * MiB, 7), 60000), `binary ${10 * MiB}`);
      assert.equal(await ask(ws, { op: 'echo', secret: `${marker}small` }), JSON.stringify({ op: 'echo', secret: `${marker}small` }));
    } finally {
      ws.close(1000);
    }
    await receiver.waitFor(() => onPath('ws receive /big').length === 3 && onPath('ws close /big').length === 1, 20000, 'three message spans');
    const sizes = onPath('ws receive /big').map((s) => [s.attributes['callscope.ws.message.type'], s.attributes['callscope.ws.message.size']]);
    assert.deepEqual(sizes.slice(0, 2).sort(), [['binary', 10 * MiB], ['text', 10 * MiB]]);
    for (const span of spans()) assert.ok(!recorded(span).includes(marker), `no payload in ${span.name}`);
  });

  test('invalid UTF-8 in a text frame: the error and the close are recorded, severity warn', async () => {
    const ws = await openClient(`${fixture.url}/utf8`);
    ws.send(Buffer.from([0x68, 0xff, 0xfe, 0x69]), { binary: false });
    await closed(ws); // the server destroys the socket right after its close frame: the client may see 1006 or 1007
    await receiver.waitFor(() => onPath('ws close /utf8').length === 1, 20000, 'the close span');
    const [close] = onPath('ws close /utf8');
    // ws sends close 1007 but stops reading, so its own 'close' event reports 1006: that is what is recorded.
    assert.ok([1006, 1007].includes(Number(close!.attributes['callscope.ws.close.code'])), String(close!.attributes['callscope.ws.close.code']));
    assert.equal(close!.attributes['callscope.severity'], 'warn');
    assert.equal(close!.attributes['error.type'], 'WS_ERR_INVALID_UTF8');
    assert.ok(close!.events.some((e) => e.name === 'exception'), 'the error event is recorded');
    assert.equal(onPath('ws receive /utf8').length, 0, 'no message was delivered, so no message span');
    assert.match(fixture.app.stdout, /ws error WS_ERR_INVALID_UTF8/, 'the app still gets its error event');
    await stillServing();
  });

  test('a TCP reset in the middle of a frame: close 1006, warn', async () => {
    const socket = await rawUpgrade('/reset');
    // A masked text frame announcing 1 MiB (127 + 64-bit length), then only 100 bytes of it.
    const header = Buffer.from([0x81, 0xff, 0, 0, 0, 0, 0, 0x10, 0, 0, 1, 2, 3, 4]);
    socket.write(Buffer.concat([header, Buffer.alloc(100, 0x41)]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.resetAndDestroy();
    await receiver.waitFor(() => onPath('ws close /reset').length === 1, 20000, 'the close span');
    const [close] = onPath('ws close /reset');
    assert.equal(close!.attributes['callscope.ws.close.code'], 1006);
    assert.equal(close!.attributes['callscope.severity'], 'warn');
    await stillServing();
  });

  test('a client that opens TCP and never completes the handshake; a rejected handshake', async () => {
    const { port } = new URL(fixture.url);
    const idle = connect(Number(port), '127.0.0.1');
    await once(idle, 'connect');
    idle.write('GET /never HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n'); // headers never finished
    await stillServing();
    idle.destroy();

    const bad = connect(Number(port), '127.0.0.1');
    await once(bad, 'connect');
    bad.write('GET /rejected HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n');
    const [answer] = (await once(bad, 'data')) as [Buffer];
    assert.match(answer.toString('latin1'), /^HTTP\/1\.1 400 /);
    bad.destroy();
    await receiver.waitFor(() => onPath('ws upgrade /rejected').length === 1, 20000, 'the rejected upgrade span');
    const [rejected] = onPath('ws upgrade /rejected');
    assert.equal(rejected!.attributes['http.response.status_code'], 400);
    assert.equal(onPath('ws upgrade /never').length, 0, 'no span for a request that never arrived');
    await stillServing();
  });

  test('listeners that throw (sync) and reject (async): the app gets the error, the span records it, the server keeps serving', async () => {
    const ws = await openClient(`${fixture.url}/throw`);
    try {
      ws.send(JSON.stringify({ op: 'throw' }));
      // The fixture's second listener throws synchronously on this text; its first (async) one answers 'not json'.
      assert.equal(await ask(ws, 'throw-sync'), 'not json');
    } finally {
      // A synchronous throw escapes through ws's frame parser, which stops reading this
      // connection (ws does that without callscope too): drop it, check the server instead.
      ws.terminate();
    }
    await stillServing();
    await fixture.app.waitForOutput('unhandled listener failed on purpose');
    await fixture.app.waitForOutput('uncaught sync listener failed on purpose');
    await receiver.waitFor(() => onPath('ws receive /throw').length === 2, 20000, 'two message spans');
    const failed = onPath('ws receive /throw').filter((s) => s.status.code === 2);
    const messages = failed.map((s) => s.events.find((e) => e.name === 'exception')?.attributes['exception.message']).sort();
    assert.deepEqual(messages, ['listener failed on purpose', 'sync listener failed on purpose']);
    for (const span of failed) {
      assert.equal(span.kind, CONSUMER);
      assert.equal(span.attributes['callscope.severity'], 'error');
    }
  });

  test('terminate() in the middle of an 8 MiB send', async () => {
    const ws = await openClient(`${fixture.url}/terminate`);
    ws.send(JSON.stringify({ op: 'terminate-mid-send' }));
    assert.equal(await closed(ws), 1006);
    await receiver.waitFor(() => onPath('ws close /terminate').length === 1 && onPath('ws receive /terminate').length === 1, 20000, 'close and message spans');
    assert.equal(onPath('ws close /terminate')[0]!.attributes['callscope.ws.close.code'], 1006);
    await stillServing();
  });

  test('1,000 connections opened and dropped: every span ended, no handle or listener left behind', async () => {
    const statsWs = await openClient(`${fixture.url}/stats`);
    const stats = async () => JSON.parse(await ask(statsWs, { op: 'stats' })) as { resources: number; clients: number; heapUsed: number; serverListeners: number };
    const baseline = await stats();
    const TOTAL = 1000;
    for (let batch = 0; batch < TOTAL / 100; batch++) {
      const clients = await Promise.all(Array.from({ length: 100 }, () => openClient(`${fixture.url}/storm`, {}, 30000)));
      // Half close properly, half vanish.
      clients.forEach((ws, i) => (i % 2 === 0 ? ws.close(1000) : ws.terminate()));
      await Promise.all(clients.map(closed));
    }
    const deadline = Date.now() + 30000;
    let after = await stats();
    while ((after.clients > baseline.clients || after.resources > baseline.resources + 2) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await stats();
    }
    statsWs.close(1000);
    assert.ok(after.clients <= baseline.clients, `connections back to baseline: ${baseline.clients} -> ${after.clients}`);
    assert.ok(after.resources <= baseline.resources + 2, `handles back to baseline: ${baseline.resources} -> ${after.resources}`);
    assert.equal(after.serverListeners, baseline.serverListeners, 'no listener added to the server');
    assert.ok(after.heapUsed - baseline.heapUsed < 32 * MiB, `heap after gc grew ${((after.heapUsed - baseline.heapUsed) / MiB).toFixed(1)} MiB`);
    await receiver.waitFor(() => onPath('ws upgrade /storm').length === TOTAL && onPath('ws close /storm').length === TOTAL, 60000, `${TOTAL} upgrade and close spans`);
    const severities = onPath('ws close /storm').map((s) => s.attributes['callscope.severity']);
    assert.equal(severities.filter((s) => s === 'info').length, TOTAL / 2);
    assert.equal(severities.filter((s) => s === 'warn').length, TOTAL / 2);
    await stillServing();
  });
});
