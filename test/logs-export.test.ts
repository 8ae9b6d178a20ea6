// getLogger and the console bridge in real apps under the preload: records reach
// the OTLP receiver with the severity numbers of design.md and the trace/span ids
// of the span they were made in (an HTTP request, a WebSocket message); stdout
// carries the same records as JSON lines with the same ids, each line once.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { Fixture } from './helpers/run-fixture.ts';
import { OtlpReceiver, type ReceivedLog } from './helpers/otlp-receiver.ts';

let receiver: OtlpReceiver;
before(async () => {
  receiver = await new OtlpReceiver().start();
});
after(async () => {
  await receiver.stop();
});

type Line = Record<string, unknown>;

function jsonLines(text: string): Line[] {
  return text.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Line);
}

function assertNoDuplicates(text: string): void {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  assert.equal(new Set(lines).size, lines.length, `a line printed twice:\n${text}`);
}

function env(service: string, extra: Record<string, string> = {}) {
  return { OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, CALLSCOPE_SHUTDOWN_TIMEOUT_MS: '3000', ...extra };
}

describe('logs at the receiver and on stdout', () => {
  test('getLogger and console.* inside an HTTP request', { timeout: 60000 }, async () => {
    const service = 'logs-http';
    const app = new Fixture({ args: ['--import', 'callscope/register', 'logs-app.mjs'], env: env(service), timeoutMs: 40000 });
    const port = (await app.waitForOutput(/listening \d+/)).split(' ')[1];
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/work`)).text(), 'ok');
    const result = await app.exited;
    assert.equal(result.code, 0, result.stderr);

    const mine = (l: ReceivedLog) => l.resource['service.name'] === service;
    await receiver.waitFor((r) => r.logs.filter(mine).length >= 7, 20000, '7 log records');
    await receiver.waitFor((r) => r.spans.some((s) => s.resource['service.name'] === service && s.kind === 2), 20000, 'the server span');
    const server = receiver.spans.find((s) => s.resource['service.name'] === service && s.kind === 2)!;
    const logs = receiver.logs.filter(mine);
    const byBody = (body: string) => {
      const found = logs.find((l) => l.body === body);
      assert.ok(found, `a record "${body}"; got ${logs.map((l) => String(l.body)).join(' | ')}`);
      return found;
    };

    const cases: [string, number, string][] = [
      ['handling request', 9, 'INFO'],
      ['slow thing db took 42 ms', 13, 'WARN'],
      ['failed', 17, 'ERROR'],
      ['console in request { a: 1 } 3', 9, 'INFO'],
      ['console error console boom', 17, 'ERROR'],
    ];
    for (const [body, number, text] of cases) {
      const record = byBody(body);
      assert.equal(record.severityNumber, number, body);
      assert.equal(record.severityText, text, body);
      assert.equal(record.traceId, server.traceId, `${body}: trace id of the server span`);
      assert.equal(record.spanId, server.spanId, `${body}: span id of the server span`);
      assert.equal(record.attributes.requestPath, '/work', `${body}: withLogContext field`);
    }
    assert.equal(byBody('handling request').scope, 'test/fixtures/logs-app.mjs', 'scope = logger name, relative to the app root');
    assert.equal(byBody('handling request').attributes.step, 1);
    assert.equal(byBody('console in request { a: 1 } 3').scope, 'console');
    // Errors are structured, cause chain included, and the exception.* conventions are set.
    const failed = byBody('failed');
    const err = failed.attributes.err as Record<string, any>;
    assert.equal(err.message, 'boom');
    assert.match(err.stack, /^Error: boom\n {4}at /);
    assert.equal(err.cause.name, 'TypeError');
    assert.equal(failed.attributes['exception.type'], 'Error');
    assert.equal(failed.attributes['exception.message'], 'boom');
    // Outside any span: no ids. Below the minimum level: not at all.
    assert.equal(byBody('startup done').traceId, '');
    assert.ok(!logs.some((l) => l.body === 'hidden at info'));

    // warn and above are events on the span, so they show inside the trace.
    const events = server.events.map((e) => `${e.name}:${e.attributes['log.message']}`);
    assert.ok(events.includes('log:slow thing db took 42 ms'), events.join(', '));
    assert.ok(events.includes('exception:failed'), events.join(', '));
    assert.ok(!events.some((e) => e.includes('handling request')), 'info records are not span events');

    // stdout: the same records as JSON lines, with the same ids; stderr has console.error.
    const out = jsonLines(result.stdout);
    const handling = out.find((l) => l.message === 'handling request');
    assert.ok(handling, result.stdout);
    assert.deepEqual(Object.keys(handling).slice(0, 6), ['timestamp', 'level', 'logger', 'message', 'trace_id', 'span_id']);
    assert.equal(handling.trace_id, server.traceId);
    assert.equal(handling.span_id, server.spanId);
    assert.equal(handling.level, 'info');
    const consoleError = jsonLines(result.stderr).find((l) => l.message === 'console error console boom');
    assert.ok(consoleError, `console.error goes to stderr as a JSON line: ${result.stderr}`);
    assert.equal(consoleError.level, 'error');
    assert.equal(consoleError.trace_id, server.traceId);
    assert.equal((consoleError.err as Record<string, unknown>).message, 'console boom');
    assert.ok(!result.stdout.includes('console error'), 'console.error is not on stdout');
    assertNoDuplicates(result.stdout);
    assertNoDuplicates(result.stderr);
    assert.equal(out.filter((l) => l.message === 'console in request { a: 1 } 3').length, 1);

    // callscope.log.records counts records by level.
    await receiver.waitFor((r) => r.metrics.some((m) => m.name === 'callscope.log.records' && m.resource['service.name'] === service), 20000, 'log counter');
    const counts = new Map<string, number>();
    for (const metric of receiver.metrics.filter((m) => m.name === 'callscope.log.records' && m.resource['service.name'] === service)) {
      for (const point of metric.points) counts.set(String(point.attributes['log.level']), Math.max(counts.get(String(point.attributes['log.level'])) ?? 0, point.value ?? 0));
    }
    assert.ok((counts.get('info') ?? 0) >= 4, JSON.stringify([...counts]));
    assert.ok((counts.get('error') ?? 0) >= 2, JSON.stringify([...counts]));
  });

  test('getLogger and console.* inside a WebSocket message', { timeout: 60000 }, async () => {
    const service = 'logs-ws';
    const app = new Fixture({ args: ['--import', 'callscope/register', 'logs-ws-app.mjs'], env: env(service), timeoutMs: 40000 });
    const port = (await app.waitForOutput(/listening \d+/)).split(' ')[1];
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise((resolve, reject) => {
      socket.on('open', resolve);
      socket.on('error', reject);
    });
    socket.send('hello');
    await new Promise((resolve) => socket.on('close', resolve));
    const result = await app.exited;
    assert.equal(result.code, 0, result.stderr);

    const mine = (l: ReceivedLog) => l.resource['service.name'] === service;
    await receiver.waitFor((r) => r.logs.filter(mine).length >= 2, 20000, '2 ws log records');
    const info = receiver.logs.find((l) => mine(l) && l.body === 'ws message')!;
    const warn = receiver.logs.find((l) => mine(l) && l.body === 'ws console warning')!;
    assert.ok(info && warn);
    assert.equal(warn.severityNumber, 13);
    assert.match(info.traceId, /^[0-9a-f]{32}$/, 'inside the message span');
    assert.equal(warn.traceId, info.traceId);
    assert.equal(warn.spanId, info.spanId);
    assert.equal(info.attributes.sessionId, 'session-7');
    await receiver.waitFor((r) => r.spans.some((s) => s.spanId === info.spanId), 20000, 'the message span');
    const span = receiver.spans.find((s) => s.spanId === info.spanId)!;
    assert.equal(span.traceId, info.traceId);
    assert.equal(span.attributes.sessionId, 'session-7', 'withLogContext fields are span attributes too');
    const line = jsonLines(result.stdout).find((l) => l.message === 'ws message');
    assert.equal(line?.trace_id, info.traceId);
    assertNoDuplicates(result.stdout);
  });

  test('CommonJS app: the CJS build and the ESM preload share one pipeline and one record counter', { timeout: 60000 }, async () => {
    const service = 'logs-cjs';
    const app = new Fixture({ args: ['--import', 'callscope/register', 'logs-app.cjs'], env: env(service), timeoutMs: 40000 });
    const result = await app.exited;
    assert.equal(result.code, 0, result.stderr);
    const lines = jsonLines(result.stdout);
    assert.equal(lines.find((l) => l.message === 'cjs logger line')?.logger, 'test/fixtures/logs-app.cjs');
    assert.equal(lines.find((l) => l.message === 'cjs console line')?.logger, 'console');
    const mine = (l: ReceivedLog) => l.resource['service.name'] === service;
    await receiver.waitFor((r) => r.logs.filter(mine).length >= 2, 20000, 'both records');
    await receiver.waitFor((r) => r.metrics.some((m) => m.name === 'callscope.log.records' && m.resource['service.name'] === service), 20000, 'log counter');
    for (const metric of receiver.metrics.filter((m) => m.name === 'callscope.log.records' && m.resource['service.name'] === service)) {
      const info = metric.points.filter((p) => p.attributes['log.level'] === 'info');
      assert.equal(info.length, 1, 'one info series, not one per module instance');
      assert.equal(info[0]!.value, 2, 'both records counted');
    }
  });
});
