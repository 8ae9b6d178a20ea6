// The instrumentation class in-process, without the preload: enable patches
// the ws prototypes (never the export), listener bookkeeping behaves exactly as
// without it (off(), listeners(), once()), and disable() puts every prototype
// back. Real ws server and client, spans in memory.

import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { context, createContextKey, trace } from '@opentelemetry/api';
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

type Socket = InstanceType<typeof WebSocket>;
const echo = (socket: Socket, data: unknown): unknown => socket.send(`echo ${data}`);

async function roundTrip(path: string, setup: (socket: Socket) => void = () => {}, onMessage: (socket: Socket, data: unknown) => unknown = echo): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  server.on('connection', (socket) => {
    setup(socket);
    socket.on('message', (data) => onMessage(socket, data));
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
    // The default ('traced'): an echo does nothing traced, so its message makes no span.
    assert.deepEqual(names, ['ws close /unit', 'ws close 127.0.0.1', 'ws connect 127.0.0.1', 'ws upgrade /unit']);
    instrumentation.setConfig({ messageSpans: 'all' });
    try {
      exporter.reset();
      assert.equal(await roundTrip('/unit'), 'echo hi');
      await new Promise((resolve) => setTimeout(resolve, 50));
      await processor.forceFlush();
      assert.deepEqual(exporter.getFinishedSpans().map((s) => s.name).sort(), ['ws close /unit', 'ws close 127.0.0.1', 'ws connect 127.0.0.1', 'ws receive /unit', 'ws upgrade /unit']);
    } finally {
      instrumentation.setConfig({});
    }
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

  test('the server socket keeps its fast (hidden-class) properties after the handshake', async () => {
    // The handshake peeks at the socket's first write through own properties; deleting them
    // afterwards made every accepted socket a dictionary-mode object, slowing all net/stream
    // code on it for the connection's life (a third of the echo throughput).
    setFlagsFromString('--allow-natives-syntax');
    const hasFastProperties = new Function('object', 'return %HasFastProperties(object)') as (object: object) => boolean;
    const seen: boolean[] = [];
    await roundTrip('/fast', (socket) => {
      const raw = (socket as unknown as { _socket: object })._socket;
      seen.push(hasFastProperties(raw));
      setImmediate(() => seen.push(hasFastProperties(raw)));
    });
    assert.deepEqual(seen, [true, true]);
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

describe("message spans made when needed ('traced', the default)", () => {
  const tracer = provider.getTracer('app');
  async function spansOf(onMessage: (socket: Socket, data: unknown) => unknown) {
    exporter.reset();
    assert.equal(await roundTrip('/lazy', undefined, onMessage), 'echo hi');
    await new Promise((resolve) => setTimeout(resolve, 80));
    await processor.forceFlush();
    const spans = exporter.getFinishedSpans();
    return { spans, receive: spans.filter((s) => s.name === 'ws receive /lazy'), upgrade: spans.find((s) => s.name === 'ws upgrade /lazy')! };
  }
  const ms = (t: [number, number]) => t[0] * 1e3 + t[1] / 1e6;

  test('a span started in the handler makes the message span: its parent, started at the message, linked to the handshake', async () => {
    const { receive, spans, upgrade } = await spansOf((socket, data) => {
      tracer.startSpan('work').end();
      socket.send(`echo ${data}`);
    });
    assert.equal(receive.length, 1);
    const work = spans.find((s) => s.name === 'work')!;
    assert.equal(work.parentSpanContext?.spanId, receive[0]!.spanContext().spanId);
    assert.ok(ms(receive[0]!.startTime) <= ms(work.startTime) + 2, 'starts when the message arrived (2 ms slack: per-span clock anchors)');
    assert.deepEqual(receive[0]!.links.map((l) => l.context.spanId), [upgrade.spanContext().spanId]);
    assert.equal(receive[0]!.attributes['callscope.ws.message.size'], 2);
    // The send came after the span was made: an event on it, as always.
    assert.deepEqual(receive[0]!.events.map((e) => e.name), ['ws.send']);
  });

  test('a send before the span is made becomes its event; reading the active span makes it', async () => {
    const { receive } = await spansOf((socket, data) => {
      socket.send(`echo ${data}`);
      trace.getActiveSpan()?.setAttribute('app.seen', true);
    });
    assert.equal(receive.length, 1);
    assert.equal(receive[0]!.attributes['app.seen'], true);
    assert.deepEqual(receive[0]!.events.map((e) => e.name), ['ws.send']);
  });

  test('an async handler that traces after an await: the span ends when the handler settles', async () => {
    const { receive, spans } = await spansOf(async (socket, data) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      tracer.startSpan('after await').end();
      socket.send(`echo ${data}`);
    });
    assert.equal(receive.length, 1);
    const child = spans.find((s) => s.name === 'after await')!;
    assert.equal(child.parentSpanContext?.spanId, receive[0]!.spanContext().spanId);
    // Each span anchors its clock to Date.now() (ms) when it starts: compare across spans with 2 ms of slack.
    assert.ok(ms(receive[0]!.endTime) >= ms(child.endTime) - 2, 'ends after the work it awaited');
    assert.ok(ms(receive[0]!.endTime) - ms(receive[0]!.startTime) >= 15, 'lasts through the 20 ms await, not just the synchronous part');
  });

  test('read after the handler returned (a timer it left): the span is made already ended where the handling ended', async () => {
    const { receive, spans } = await spansOf((socket, data) => {
      setTimeout(() => tracer.startSpan('late').end(), 20);
      socket.send(`echo ${data}`);
    });
    assert.equal(receive.length, 1);
    const late = spans.find((s) => s.name === 'late')!;
    assert.equal(late.parentSpanContext?.spanId, receive[0]!.spanContext().spanId);
    assert.ok(ms(receive[0]!.endTime) <= ms(late.startTime) - 10, 'the message span ended when the handler returned, not when read 20 ms later');
  });

  test('a message the app replays with emit(\'message\', data) is a message of its own', async () => {
    const { receive, spans } = await spansOf((socket, data) => {
      if (String(data) === 'replayed') return tracer.startSpan('on replay').end();
      socket.send(`echo ${data}`);
      socket.emit('message', Buffer.from('replayed')); // data only, no isBinary
    });
    assert.equal(receive.length, 1, 'only the replayed message did something traced');
    assert.equal(receive[0]!.attributes['callscope.ws.message.size'], 'replayed'.length);
    assert.equal(spans.find((s) => s.name === 'on replay')!.parentSpanContext?.spanId, receive[0]!.spanContext().spanId);
  });

  test("with 'all' too, an async handler's span lasts until the handler settles", async () => {
    instrumentation.setConfig({ messageSpans: 'all' });
    try {
      const { receive } = await spansOf(async (socket, data) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        socket.send(`echo ${data}`);
      });
      assert.equal(receive.length, 1);
      assert.ok(ms(receive[0]!.endTime) - ms(receive[0]!.startTime) >= 15, 'lasts through the 20 ms await');
      assert.deepEqual(receive[0]!.events.map((e) => e.name), ['ws.send']);
    } finally {
      instrumentation.setConfig({});
    }
  });

  test('a handler that sets its own context value: the value is there and the message span stays the parent', async () => {
    const key = createContextKey('app.request');
    let seen: unknown;
    const { receive, spans } = await spansOf((socket, data) => {
      socket.send(`echo ${data}`);
      context.with(context.active().setValue(key, 'r-1'), () => {
        seen = context.active().getValue(key);
        tracer.startSpan('inner').end();
      });
    });
    assert.equal(seen, 'r-1');
    assert.equal(receive.length, 1);
    assert.equal(spans.find((s) => s.name === 'inner')!.parentSpanContext?.spanId, receive[0]!.spanContext().spanId);
    assert.deepEqual(receive[0]!.events.map((e) => e.name), ['ws.send'], 'the send made before the span is its event');
  });
});
