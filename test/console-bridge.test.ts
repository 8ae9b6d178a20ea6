// The console bridge in a real process: levels and streams of design.md, Node's
// util.format semantics, table/group/dir kept working, no recursion, no line
// twice; CALLSCOPE_CONSOLE=off leaves console alone; the pretty format; bad
// logging variables warn once and the app runs.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { format } from 'node:util';
import { runFixture } from './helpers/run-fixture.ts';
import { OtlpReceiver } from './helpers/otlp-receiver.ts';

let receiver: OtlpReceiver;
before(async () => {
  receiver = await new OtlpReceiver().start();
});
after(async () => {
  await receiver.stop();
});

type Line = Record<string, any>;
const json = (text: string): Line[] => text.split('\n').filter((l) => l.startsWith('{"')).map((l) => JSON.parse(l) as Line);

function run(env: Record<string, string> = {}) {
  return runFixture({
    args: ['--import', 'callscope/register', 'logs-console-app.mjs'],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env },
    timeoutMs: 30000,
  });
}

describe('console bridge', () => {
  test('JSON lines at the design.md levels, on the same streams, each once', { timeout: 60000 }, async () => {
    const result = await run({ OTEL_SERVICE_NAME: 'console-json', CALLSCOPE_LOG_LEVEL: 'debug' });
    assert.equal(result.code, 0, result.stderr);
    const out = json(result.stdout);
    const err = json(result.stderr);
    const find = (lines: Line[], text: string) => lines.find((l) => String(l.message).includes(text));

    const printf = find(out, 's=str');
    const expected = format('s=%s d=%d i=%i f=%f j=%j o=%o O=%O c=%cstyled%% done', 'str', 42.5, 42.5, '1.5', { j: 1 }, [1], { O: 2 }, 'color: red');
    assert.equal(printf?.message, expected, 'printf tokens as util.format');
    assert.equal(find(out, 'a { b')?.message, "a { b: 1 } 3 four", 'extra arguments as console.log prints them');
    for (const [text, level, lines] of [
      ['info line', 'info', out], ['debug line', 'debug', out], ['warn line', 'warn', err],
      ['Trace: trace line', 'debug', err], ['Assertion failed: assertion failed', 'warn', err],
    ] as const) {
      const line = find(lines, text);
      assert.ok(line, `${text} on ${lines === out ? 'stdout' : 'stderr'}`);
      assert.equal(line.level, level, text);
      assert.equal(line.logger, 'console');
    }
    assert.match(find(err, 'Trace: trace line')!.stack, /logs-console-app\.mjs/, 'console.trace carries the stack');
    assert.match(find(out, '┌')?.message ?? '', /col.*\n.*x/s, 'console.table renders its table into one record');
    for (const text of ['group label', 'inside group', 'inside nested', 'after group', 'counter: 1']) assert.ok(find(out, text), text);
    assert.match(result.stdout, /^\{ dir: true \}$/m, 'console.dir prints as before');
    // Recursion: the inner call is printed plainly, the outer record completes.
    assert.match(result.stdout, /^inner during outer$/m);
    assert.equal(find(out, 'outer')?.message, 'outer "x"');
    // The app's own winston Console transport writes to stdout directly: once, not re-wrapped.
    assert.equal(result.stdout.split('from the app winston logger').length - 1, 1, result.stdout);
    assert.match(result.stdout, /^info: from the app winston logger/m);
    const lines = (result.stdout + result.stderr).split('\n').filter((l) => l.startsWith('{"'));
    assert.equal(new Set(lines).size, lines.length, 'no line twice');

    await receiver.waitFor((r) => r.logs.some((l) => l.resource['service.name'] === 'console-json' && l.body === 'end'), 15000, 'the last record');
    const records = receiver.logs.filter((l) => l.resource['service.name'] === 'console-json');
    const severity = (body: string) => records.find((l) => String(l.body).startsWith(body))?.severityNumber;
    assert.equal(severity('info line'), 9);
    assert.equal(severity('warn line'), 13);
    assert.equal(severity('debug line'), 5);
    assert.equal(severity('Trace: trace line'), 5);
    assert.equal(records.filter((l) => l.body === 'end').length, 1);
  });

  test('console.debug is below the default minimum level (info)', { timeout: 60000 }, async () => {
    const result = await run({ OTEL_SERVICE_NAME: 'console-info' });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes('debug line'));
    assert.ok(result.stdout.includes('info line'));
  });

  test('CALLSCOPE_CONSOLE=off: console prints as without callscope', { timeout: 60000 }, async () => {
    const result = await run({ OTEL_SERVICE_NAME: 'console-off', CALLSCOPE_CONSOLE: 'off' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^info line$/m);
    assert.match(result.stderr, /^warn line$/m);
    assert.match(result.stdout, /^ {4}inside nested$/m, 'Node indents groups itself');
    assert.equal(json(result.stdout).length, 0);
  });

  test('CALLSCOPE_LOG_FORMAT=pretty: readable lines, groups indented', { timeout: 60000 }, async () => {
    const result = await run({ OTEL_SERVICE_NAME: 'console-pretty', CALLSCOPE_LOG_FORMAT: 'pretty', NO_COLOR: '1' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\d\d:\d\d:\d\d\.\d{3} INFO  console {2}info line$/m);
    assert.match(result.stdout, /^\d\d:\d\d:\d\d\.\d{3} INFO  console {2} {4}inside nested$/m);
    assert.match(result.stderr, /^\d\d:\d\d:\d\d\.\d{3} WARN  console {2}warn line$/m);
  });

  test('bad logging variables: one warning each, naming the variable, bad part and value used', { timeout: 60000 }, async () => {
    const result = await run({ OTEL_SERVICE_NAME: 'console-bad', CALLSCOPE_LOG_LEVEL: 'info,db=loud', CALLSCOPE_LOG_FORMAT: 'xml', CALLSCOPE_CONSOLE: 'maybe' });
    assert.equal(result.code, 0, result.stderr);
    const warnings = result.stderr.split('\n').filter((l) => l.startsWith('callscope: warning:'));
    assert.ok(warnings.includes('callscope: warning: CALLSCOPE_LOG_LEVEL: "db=loud" is not a level (fatal, error, warn, info, debug, trace) or name=level; using the default level for it'), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.startsWith('callscope: warning: CALLSCOPE_LOG_FORMAT: "xml" is not one of json, pretty; using json')), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.startsWith('callscope: warning: CALLSCOPE_CONSOLE: "maybe" is not true/false; using true')), warnings.join('\n'));
    assert.equal(warnings.length, 3);
    assert.ok(json(result.stdout).some((l) => l.message === 'info line'), 'the bridge runs with the defaults');
  });
});
