// Crash capture in real processes: the fatal (or error) record and the span's
// exception event reach the receiver before the process exits with the status
// Node itself would give it; an app's own handler and --unhandled-rejections are respected.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runFixture } from './helpers/run-fixture.ts';
import { OtlpReceiver, type ReceivedLog } from './helpers/otlp-receiver.ts';

let receiver: OtlpReceiver;
before(async () => {
  receiver = await new OtlpReceiver().start();
});
after(async () => {
  await receiver.stop();
});

async function crash(mode: string, nodeArgs: string[] = []) {
  const service = `crash-${mode}`;
  const result = await runFixture({
    args: [...nodeArgs, '--import', 'callscope/register', 'logs-crash-app.mjs'],
    // Long export delays: only the crash flush can get the records out in time.
    env: { OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, CRASH: mode, OTEL_BLRP_SCHEDULE_DELAY: '60000', OTEL_BSP_SCHEDULE_DELAY: '60000' },
    timeoutMs: 30000,
  });
  const mine = (l: ReceivedLog) => l.resource['service.name'] === service;
  return { result, service, mine };
}

describe('crash capture', () => {
  test('uncaught exception: fatal record, exception on the span, flushed, exit status 1', { timeout: 60000 }, async () => {
    const { result, service, mine } = await crash('throw');
    assert.equal(result.code, 1, `exit status; stderr: ${result.stderr}`);
    assert.match(result.stderr, /Error: crash in a timer\n {4}at /, 'Node-style crash text on stderr');
    assert.match(result.stderr, /Node\.js v\d+/);
    const fatal = receiver.logs.find((l) => mine(l) && l.severityNumber === 21);
    assert.ok(fatal, `a fatal record at the receiver (flushed before exit); got ${receiver.logs.filter(mine).map((l) => l.body).join(' | ')}`);
    assert.equal(fatal.body, 'Uncaught exception: Error: crash in a timer');
    assert.equal(fatal.attributes['exception.message'], 'crash in a timer');
    const span = receiver.spans.find((s) => s.resource['service.name'] === service && s.name === 'crashing work');
    assert.ok(span, 'the open span was ended and exported');
    assert.equal(fatal.traceId, span.traceId, 'the fatal record belongs to the crashing trace');
    assert.equal(span.status.code, 2);
    assert.ok(span.events.some((e) => e.name === 'exception' && e.attributes['exception.message'] === 'crash in a timer'));
    assert.equal(span.attributes['callscope.severity'], 'fatal');
    const line = result.stdout.split('\n').find((l) => l.includes('"fatal"'));
    assert.ok(line, `the fatal record on stdout: ${result.stdout}`);
  });

  test('unhandled rejection (default throw mode): fatal record, exit status 1', { timeout: 60000 }, async () => {
    const { result, mine } = await crash('reject');
    assert.equal(result.code, 1, result.stderr);
    const fatal = receiver.logs.find((l) => mine(l) && l.severityNumber === 21);
    assert.ok(fatal, 'a fatal record');
    assert.equal(fatal.body, 'Unhandled rejection: Error: nobody caught this');
  });

  test("the app's own uncaughtException handler: error record, the process lives on", { timeout: 60000 }, async () => {
    const { result, mine } = await crash('handled');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /still alive/);
    assert.match(result.stdout, /app handler saw crash in a timer/);
    await receiver.waitFor((r) => r.logs.some((l) => mine(l) && l.severityNumber === 17), 10000, 'error record');
    assert.ok(!receiver.logs.some((l) => mine(l) && l.severityNumber === 21), 'no fatal record');
  });

  test('--unhandled-rejections=warn: error record, Node still warns, exit status 0', { timeout: 60000 }, async () => {
    const { result, mine } = await crash('reject-warn', ['--unhandled-rejections=warn']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /nobody caught this/);
    await receiver.waitFor((r) => r.logs.some((l) => mine(l) && l.severityNumber === 17), 10000, 'error record');
    const error = receiver.logs.find((l) => mine(l) && l.severityNumber === 17)!;
    assert.equal(error.body, 'Unhandled rejection: Error: nobody caught this');
    assert.ok(!receiver.logs.some((l) => mine(l) && l.severityNumber >= 13 && l.severityNumber < 17), 'no second (warn) record for the same rejection');
  });

  test('--unhandled-rejections=warn-with-error-code: error record, the process lives on and exits with status 1', { timeout: 60000 }, async () => {
    const { result, mine } = await crash('reject-warn', ['--unhandled-rejections=warn-with-error-code']);
    assert.equal(result.code, 1, result.stderr);
    await receiver.waitFor((r) => r.logs.some((l) => mine(l) && l.severityNumber === 17), 10000, 'error record');
    assert.ok(!receiver.logs.some((l) => mine(l) && l.severityNumber === 21), 'no fatal record: nothing crashed');
  });

  test('--unhandled-rejections=strict: fatal record, exit status 1', { timeout: 60000 }, async () => {
    const { result, mine } = await crash('reject', ['--unhandled-rejections=strict']);
    assert.equal(result.code, 1, result.stderr);
    assert.ok(receiver.logs.some((l) => mine(l) && l.severityNumber === 21 && l.body === 'Unhandled rejection: Error: nobody caught this'));
  });

  test('process warning: warn record; Node prints it once', { timeout: 60000 }, async () => {
    const { result, mine } = await crash('warning');
    assert.equal(result.code, 0, result.stderr);
    await receiver.waitFor((r) => r.logs.some((l) => mine(l) && l.severityNumber === 13), 10000, 'warn record');
    assert.equal(receiver.logs.find((l) => mine(l) && l.severityNumber === 13)!.body, 'OddWarning: something odd');
    assert.equal(result.stderr.split('OddWarning: something odd').length - 1, 1, result.stderr);
  });
});
