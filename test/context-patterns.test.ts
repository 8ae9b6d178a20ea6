// Pseudo-synchronous calls keep their parent: async/await chains, a Promise.all
// fan-out of 20, timers and callbacks, EventEmitter listeners, streams, a worker
// thread (environment and postMessage carriers), background() runs (one trace
// per setInterval run, linked to the scheduler), a queue job linked to its
// enqueuer, and child processes (spawn via NODE_OPTIONS + TRACEPARENT, fork).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';
import { FIXTURES, Fixture } from './helpers/run-fixture.ts';
import { Upstream } from './helpers/upstream.ts';

let receiver: OtlpReceiver;
let upstream: Upstream;
let spans: ReceivedSpan[] = [];

before(async () => {
  receiver = await new OtlpReceiver().start();
  upstream = await new Upstream().start();
  const service = 'context-patterns';
  const app = new Fixture({
    args: ['--import', 'callscope/register', 'calls-context-app.mjs'],
    cwd: FIXTURES,
    timeoutMs: 60000,
    env: { OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, UPSTREAM_URL: upstream.url },
  });
  const result = await app.exited;
  assert.equal(result.code, 0, result.stderr);
  const callTo = (path: string) => (r: OtlpReceiver) => r.spans.some((s) => s.kind === 3 && String(s.attributes['url.full']).endsWith(path));
  await receiver.waitFor((r) => ['/await-chain', '/fan/19', '/worker-message', '/tick/3', '/job', '/spawned-child', '/forked-child'].every((p) => callTo(p)(r)) && r.spans.some((s) => s.name === 'scenario childProcess'), 20000, 'every scenario');
  spans = receiver.spans.filter((s) => s.resource['service.name'] === service);
});
after(async () => {
  await receiver.stop();
  await upstream.stop();
});

const named = (name: string) => {
  const found = spans.filter((s) => s.name === name);
  assert.equal(found.length, 1, `one span named ${name}, got ${found.length}`);
  return found[0]!;
};
const callTo = (path: string) => {
  const found = spans.filter((s) => s.kind === 3 && String(s.attributes['url.full']).endsWith(path));
  assert.equal(found.length, 1, `one call to ${path}, got ${found.length}`);
  return found[0]!;
};
function assertChild(child: ReceivedSpan, parent: ReceivedSpan, what: string): void {
  assert.equal(child.traceId, parent.traceId, `${what}: same trace`);
  assert.equal(child.parentSpanId, parent.spanId, `${what}: parent is ${parent.name}`);
}

describe('pseudo-synchronous calls keep their parent', () => {
  test('async/await chain', () => {
    assertChild(callTo('/await-chain'), named('level-2'), 'call');
    assertChild(named('level-2'), named('level-1'), 'level-2');
    assertChild(named('level-1'), named('scenario awaitChain'), 'level-1');
  });

  test('Promise.all fan-out of 20: each call under its own branch', () => {
    const scenario = named('scenario fanOut');
    for (let i = 0; i < 20; i++) {
      assertChild(named(`fan-${i}`), scenario, `fan-${i}`);
      assertChild(callTo(`/fan/${i}`), named(`fan-${i}`), `call ${i}`);
    }
  });

  test('timers, setImmediate, nextTick, fs callbacks', () => {
    for (const path of ['/timeout', '/immediate', '/next-tick', '/fs-callback']) assertChild(callTo(path), named('scenario callbacks'), path);
  });

  test('EventEmitter listeners and stream data handlers', () => {
    assertChild(callTo('/listener'), named('scenario emitter'), 'listener');
    for (const path of ['/stream-data/a', '/stream-data/b']) assertChild(callTo(path), named('scenario streams'), path);
  });

  test('worker thread: started in the trace, and per message', () => {
    const top = callTo('/worker-top-level');
    assertChild(top, named('scenario worker'), 'worker top level');
    assertChild(callTo('/worker-message'), named('send-to-worker'), 'worker message handler');
  });

  test('background(): one trace per setInterval run, linked to the scheduler', () => {
    const scheduler = named('scenario background');
    const ticks = spans.filter((s) => s.name === 'tick');
    assert.equal(ticks.length, 3);
    assert.equal(new Set(ticks.map((t) => t.traceId)).size, 3, 'three traces');
    for (const tick of ticks) {
      assert.equal(tick.parentSpanId, '', 'a root span');
      assert.notEqual(tick.traceId, scheduler.traceId);
      assert.deepEqual(tick.links.map((l) => [l.traceId, l.spanId]), [[scheduler.traceId, scheduler.spanId]]);
    }
    for (let run = 1; run <= 3; run++) {
      const call = callTo(`/tick/${run}`);
      assert.ok(ticks.some((t) => t.spanId === call.parentSpanId && t.traceId === call.traceId), `tick ${run} call under its run`);
    }
  });

  test('queue job: a consumer root span linked to the request that enqueued it', () => {
    const job = named('consume job');
    assert.equal(job.kind, 5);
    assert.equal(job.parentSpanId, '');
    const enqueue = named('enqueue');
    assert.deepEqual(job.links.map((l) => l.spanId), [enqueue.spanId]);
    assertChild(callTo('/job'), job, 'job call');
  });

  test('child processes continue the trace (spawn: NODE_OPTIONS + TRACEPARENT; fork)', () => {
    const scenario = named('scenario childProcess');
    for (const path of ['/spawned-child', '/forked-child']) {
      const call = callTo(path);
      assertChild(call, scenario, path);
      assert.notEqual(call.resource['process.pid'], scenario.resource['process.pid'], `${path} came from another process`);
    }
    const spawned = upstream.requests.find((r) => r.path === '/spawned-child');
    assert.match(String(spawned?.headers.traceparent), new RegExp(`^00-${scenario.traceId}-`));
  });
});
