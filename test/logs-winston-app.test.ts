// The app's own `winston.createLogger()` loggers under the preload (the fixtures'
// package.json scope declares winston, so the winston instrumentation is on):
// their records reach the OTLP receiver with trace ids, mapped severities, fields
// and errors, redacted; getLogger and console records are not exported twice; the
// app's own transports print exactly what they printed before.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runFixture } from './helpers/run-fixture.ts';
import { OtlpReceiver, type ReceivedLog } from './helpers/otlp-receiver.ts';

let receiver: OtlpReceiver;
before(async () => {
  receiver = await new OtlpReceiver().start();
});
after(async () => {
  await receiver.stop();
});

test("the app's own winston loggers are exported, once, with trace context", { timeout: 60000 }, async () => {
  const service = 'logs-winston-app';
  const result = await runFixture({
    args: ['--import', 'callscope/register', 'logs-winston-app.mjs'],
    env: { OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, CALLSCOPE_LOG_LEVEL: 'debug' },
    timeoutMs: 30000,
  });
  assert.equal(result.code, 0, result.stderr);
  const [, traceId, spanId] = /span (\w{32}) (\w{16})/.exec(result.stdout)!;

  const mine = (l: ReceivedLog) => l.resource['service.name'] === service;
  await receiver.waitFor((r) => r.logs.filter(mine).length >= 12, 20000, '12 log records');
  const logs = receiver.logs.filter(mine);
  const byBody = new Map<unknown, ReceivedLog[]>();
  for (const log of logs) byBody.set(log.body, [...(byBody.get(log.body) ?? []), log]);
  for (const [body, list] of byBody) assert.equal(list.length, 1, `exported once: ${String(body)}`);
  const one = (body: string) => {
    const log = byBody.get(body)?.[0];
    assert.ok(log, `${body} at the receiver; got ${[...byBody.keys()].join(' | ')}`);
    return log;
  };

  const outside = one('outside any span');
  assert.equal(outside.traceId, '');
  assert.equal(outside.scope, 'winston');
  assert.equal(outside.severityNumber, 9);
  assert.equal(outside.attributes.orderId, 7);
  assert.equal(outside.attributes.component, 'billing', 'defaultMeta');

  const levels: [string, number, string, string | undefined][] = [
    ['http level', 9, 'INFO', 'http'], ['verbose level', 5, 'DEBUG', 'verbose'], ['silly level', 1, 'TRACE', 'silly'],
    ['card declined', 13, 'WARN', undefined], ['charge failed gateway down', 17, 'ERROR', undefined], ['from a child', 9, 'INFO', undefined],
    ['syslog crit', 21, 'FATAL', 'crit'], ['syslog notice', 9, 'INFO', 'notice'],
  ];
  for (const [body, number, text, original] of levels) {
    const log = one(body);
    assert.equal(log.severityNumber, number, body);
    assert.equal(log.severityText, text, body);
    assert.equal(log.attributes['log.level.original'], original, body);
    assert.equal(log.traceId, traceId, `${body}: in the span`);
    assert.equal(log.spanId, spanId, body);
  }
  assert.equal(one('card declined').attributes.apiKey, '[REDACTED]');
  // winston appends the error's message to the text and keeps its stack; the stack becomes the exception.
  const failed = one('charge failed gateway down');
  assert.equal(failed.attributes['exception.type'], 'Error');
  assert.equal(failed.attributes['exception.message'], 'gateway down');
  assert.match(String(failed.attributes['exception.stacktrace']), /^Error: gateway down\n\s+at /);
  assert.equal(one('from a child').attributes.requestId, 'r-1');
  assert.equal(one('from getLogger').scope, 'mine');
  assert.equal(one('from console').traceId, traceId);

  // The app's own Console and Stream transports print what they always did (no callscope fields).
  const printed = result.stdout.split('\n').find((line) => line.includes('"outside any span"'));
  assert.ok(printed, result.stdout);
  const line = JSON.parse(printed) as Record<string, unknown>;
  assert.deepEqual(Object.keys(line).sort(), ['component', 'level', 'message', 'orderId', 'timestamp']);
  assert.match(result.stdout, /^\{"level":"notice","message":"syslog notice","span_id"/m);
});
