// getLogger in a real process: per-logger minimum levels, child loggers, errors
// of every shape (nested, cause chains, AggregateError) and values JSON cannot
// take, context fields, console-style arguments; with the preload and without.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runFixture } from './helpers/run-fixture.ts';

type Line = Record<string, any>;

async function run(args: string[], env: Record<string, string>) {
  const result = await runFixture({ args, env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_LOG_LEVEL: 'none', CALLSCOPE_SHUTDOWN_TIMEOUT_MS: '500', ...env }, timeoutMs: 30000 });
  assert.equal(result.code, 0, result.stderr);
  const lines = (result.stdout).split('\n').filter((l) => l.startsWith('{"')).map((l) => JSON.parse(l) as Line);
  const find = (message: string) => lines.find((l) => l.message === message);
  return { result, lines, find };
}

const CASES = [
  { name: 'under the preload', args: ['--import', 'callscope/register', 'logs-logger-app.mjs'] },
  { name: 'without the preload (getLogger alone)', args: ['logs-logger-app.mjs'] },
];

describe('getLogger', () => {
  for (const { name, args } of CASES) {
    test(`levels, children, errors and fields, ${name}`, { timeout: 60000 }, async () => {
      const { lines, find } = await run(args, { CALLSCOPE_LOG_LEVEL: 'warning,db=debug', CALLSCOPE_LOG_FORMAT: 'json' });
      const messages = lines.map((l) => l.message);
      for (const present of ['fatal line', 'error line', 'warn line', 'db debug line']) assert.ok(messages.includes(present), present);
      for (const absent of ['info line (below warn)', 'db trace line (below debug)']) assert.ok(!messages.includes(absent), absent);
      assert.equal(find('fatal line')!.level, 'fatal');
      assert.equal(find('db debug line')!.logger, 'test/fixtures/src/db.mjs', 'a file URL becomes a path relative to the app root (this repo)');
      assert.ok(find('db debug enabled: true, app info enabled: false'), 'isLevelEnabled per logger');

      const child = find('child line')!;
      assert.equal(child.tenant, 'acme');
      assert.equal(child.region, 'eu');
      assert.equal(child.extra, 1);
      assert.equal(child.logger, 'app');

      const shapes = find('shapes')!;
      assert.equal(shapes.aggregate.name, 'AggregateError');
      assert.equal(shapes.aggregate.message, 'many failed');
      assert.deepEqual(shapes.aggregate.errors.map((e: Line) => `${e.name}: ${e.message}`), ['Error: first', 'RangeError: second']);
      assert.match(shapes.aggregate.errors[1].stack, /^RangeError: second\n {4}at /);
      assert.equal(shapes.aggregate.cause.name, 'TypeError');
      assert.equal(shapes.nested.deep.err.message, 'deep');
      assert.equal(shapes.circular.self, '[Circular]');
      assert.equal(shapes.big, '10');
      assert.deepEqual(shapes.map, { k: 1 });
      assert.deepEqual(shapes.set, [1, 2]);
      assert.equal(shapes.when, '1970-01-01T00:00:00.000Z');
      assert.equal(shapes.buf, '<Buffer 3 bytes>');

      const asMessage = find('error as the message')!;
      assert.equal(asMessage.err.name, 'Error');
      assert.match(asMessage.err.stack, /logs-logger-app\.mjs/);
      const second = find('failed second argument')!;
      assert.equal(second.err.message, 'second argument');

      const context = find('in context')!;
      assert.equal(context.requestId, 'explicit wins', 'explicit fields beat context fields');
      assert.equal(context.userId, 'u-2', 'nested context adds to the outer one');
      assert.ok(find('a { b: 1 } 3'), 'console-style arguments');
      assert.deepEqual(Object.keys(find('warn line')!), ['timestamp', 'level', 'logger', 'message']);

      // Secrets never leave the process, stdout included (design.md redaction rules, shared Redactor).
      const secret = lines.find((l) => String(l.message).startsWith('calling with'))!;
      assert.equal(secret.message, 'calling with Authorization: Bearer [REDACTED]');
      assert.equal(secret.password, '[REDACTED]');
      assert.equal(secret.nested.api_key, '[REDACTED]');
      assert.equal(secret.nested.note, 'key [REDACTED]');
      assert.equal(secret.count, 3);
      assert.ok(!/hunter2|k-123456|sk-proj|abcdefghijklmnop/.test(JSON.stringify(lines)), 'no secret anywhere in the output');
    });
  }

  test('pretty format: one readable line per record, stacks below', { timeout: 60000 }, async () => {
    const { result } = await run(['--import', 'callscope/register', 'logs-logger-app.mjs'], { CALLSCOPE_LOG_FORMAT: 'pretty', NO_COLOR: '1' });
    assert.match(result.stdout, /^\d\d:\d\d:\d\d\.\d{3} ERROR app {2}child line {2}tenant=acme {2}region=eu {2}extra=1$/m);
    assert.match(result.stdout, /^\d\d:\d\d:\d\d\.\d{3} ERROR app {2}error as the message {2}err=Error: error as the message\n {4}Error: error as the message\n {8}at /m);
  });
});
