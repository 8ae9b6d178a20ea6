// The callscope command line: doctor's verdicts and exit codes, usage errors.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROOT, runFixture } from './helpers/run-fixture.ts';
import { OtlpReceiver } from './helpers/otlp-receiver.ts';

const CLI = `${ROOT}dist/cli.js`;
const cli = (args: string[], env: Record<string, string> = {}) => runFixture({ args: [CLI, ...args], env });

let receiver: OtlpReceiver;
before(async () => {
  receiver = await new OtlpReceiver().start();
});
after(() => receiver.stop());

describe('callscope CLI', () => {
  test('doctor: all good when the collector accepts an export', async () => {
    const result = await cli(['doctor'], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'doctor-ok' });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /service\.name\s+doctor-ok/);
    assert.match(result.stdout, new RegExp(`export traces\\s+${receiver.url}/v1/traces \\(http/protobuf\\)`));
    assert.match(result.stdout, /collector\s+reachable: an empty export was accepted \(HTTP 200/);
    assert.match(result.stdout, /instrumentations\s+http, undici, runtime-node/);
    assert.match(result.stdout, /^all good$/m);
    assert.ok(receiver.requests.some((r) => r.path === '/v1/traces'), 'the probe reached the receiver');
  });

  test('doctor: an unreachable collector and a bad setting are problems (exit 1)', async () => {
    const result = await cli(['doctor'], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_TRACES_SAMPLER: 'nope' });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /collector\s+PROBLEM: http:\/\/127\.0\.0\.1:9\/v1\/traces: not reachable \(ECONNREFUSED\)/);
    assert.match(result.stdout, /setting\s+PROBLEM: OTEL_TRACES_SAMPLER: "nope" is not one of/);
    assert.match(result.stdout, /^2 problem\(s\)$/m);
  });

  test('doctor: a collector that refuses the export is a problem', async () => {
    receiver.failWith = 404;
    try {
      const result = await cli(['doctor'], { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/wrong/path` });
      assert.equal(result.code, 1);
      assert.match(result.stdout, /answered HTTP 404 to an empty export/);
    } finally {
      receiver.failWith = undefined;
    }
  });

  test('doctor --no-network skips the probe; unknown options and commands are usage errors', async () => {
    const offline = await cli(['doctor', '--no-network'], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    assert.equal(offline.code, 0, offline.stdout);
    assert.doesNotMatch(offline.stdout, /collector/);
    const badOption = await cli(['doctor', '--frobnicate']);
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr, /unknown option --frobnicate/);
    const badCommand = await cli(['fly']);
    assert.equal(badCommand.code, 2);
    assert.match(badCommand.stderr, /unknown command "fly"/);
    assert.match(badCommand.stderr, /commands:/);
    const prototypeName = await cli(['constructor']);
    assert.equal(prototypeName.code, 2);
    assert.match(prototypeName.stderr, /unknown command "constructor"/);
    const version = await cli(['--version']);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
