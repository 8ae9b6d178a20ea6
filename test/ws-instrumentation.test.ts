// The instrumentation class in-process, without the preload: enable patches
// the ws prototypes (never the export), listener bookkeeping behaves exactly as
// without it (off(), listeners(), once()), and disable() puts every prototype
// back. Real ws server and client, spans in memory.

import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { WsInstrumentation } from '../src/instrumentation-ws/instrumentation.ts';

const exporter = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor({ exporter });
const provider = new TracerProvider({ spanProcessors: [processor] });
// Constructed (and so enabled) before `ws` is first required, as the preload does.
const instrumentation = new WsInstrumentation();
instrumentation.setTracerProvider(provider);
const ws = createRequire(import.meta.url)('ws') as typeof import('ws');
const { WebSocket, WebSocketServer } = ws;
const PATCHED = ['emit', 'send', 'on', 'addListener', 'prependListener'] as const;

before(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
after(() => {
  context.disable();
});

async function roundTrip(path: string, setup: (socket: InstanceType<typeof WebSocket>) => void = () => {}): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  server.on('connection', (socket) => {
    setup(socket);
    socket.on('message', (data) => socket.send(`echo ${data}`));
  });
  try {
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    await once(client, 'open');
    client.send('hi');
    const [reply] = (await once(client, 'message')) as [Buffer];
    client.close(1000);
    await once(client, 'close');
    return reply.toString();
  } finally {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('WsInstrumentation', () => {
  test('patches prototypes, not the export; one round trip gives the four span kinds', async () => {
    assert.equal(typeof ws, 'function', 'the export is still ws itself');
    for (const name of PATCHED) assert.ok(Object.prototype.hasOwnProperty.call(WebSocket.prototype, name), `WebSocket.prototype.${name}`);
    assert.ok(Object.getOwnPropertyDescriptor(WebSocket.prototype, '_req')?.set, 'the _req accessor');
    exporter.reset();
    assert.equal(await roundTrip('/unit'), 'echo hi');
    await new Promise((resolve) => setTimeout(resolve, 50)); // the server side's close event
    await processor.forceFlush();
    const names = exporter.getFinishedSpans().map((s) => s.name).sort();
    assert.deepEqual(names, ['ws close /unit', 'ws close 127.0.0.1', 'ws connect 127.0.0.1', 'ws receive /unit', 'ws upgrade /unit']);
    assert.equal(trace.getActiveSpan(), undefined, 'nothing left active');
  });

  test('listener bookkeeping is unchanged: off(), listeners(), once(), listenerCount()', async () => {
    let checked = false;
    await roundTrip('/listeners', (socket) => {
      const fn = () => {};
      socket.on('message', fn);
      assert.deepEqual(socket.listeners('message').slice(-1), [fn], 'listeners() returns what the app registered');
      assert.equal(socket.listenerCount('message', fn), 1);
      socket.off('message', fn);
      assert.equal(socket.listenerCount('message'), 0, 'off() removes a tracked listener');
      let calls = 0;
      socket.once('message', () => calls++);
      socket.prependListener('message', fn);
      socket.removeListener('message', fn);
      socket.on('close', () => {
        assert.equal(calls, 1, 'a once() listener ran exactly once');
        checked = true;
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(checked);
  });

  test('disable() restores every prototype; ws keeps working, untraced', async () => {
    instrumentation.disable();
    try {
      for (const name of PATCHED) {
        const own = Object.getOwnPropertyDescriptor(WebSocket.prototype, name)?.value;
        const expected = name === 'send' ? own : (EventEmitter.prototype as unknown as Record<string, unknown>)[name];
        assert.equal(own === undefined ? (WebSocket.prototype as unknown as Record<string, unknown>)[name] : own, expected, name);
        assert.equal((own as { __wrapped?: boolean } | undefined)?.__wrapped, undefined, `${name} is not wrapped`);
      }
      assert.equal(Object.getOwnPropertyDescriptor(WebSocket.prototype, '_req'), undefined, 'the accessor is gone');
      assert.equal((WebSocketServer.prototype.handleUpgrade as { __wrapped?: boolean }).__wrapped, undefined);
      exporter.reset();
      assert.equal(await roundTrip('/off'), 'echo hi');
      await processor.forceFlush();
      assert.deepEqual(exporter.getFinishedSpans(), []);
    } finally {
      instrumentation.enable();
    }
  });
});
