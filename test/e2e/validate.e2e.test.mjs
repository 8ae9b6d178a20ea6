// `otelcol validate` (our built collector binary) on every config and every layering the docs tell
// users to run. Validation builds every component's config, so a renamed component or key fails here.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { validate } from './lib/stack.mjs';

const LAYERINGS = [
  ['otel-collector.yaml'], // local destination (default)
  ['otel-collector.yaml', 'collector/local.yaml'], // CALLSCOPE_DESTINATION=local in compose
  ['otel-collector.yaml', 'collector/aws.yaml'], // CALLSCOPE_DESTINATION=aws
  ['otel-collector.yaml', 'collector/agent.yaml'], // agent tier; gateways are the two above
];

for (const configs of LAYERINGS) {
  test(`otelcol validate ${configs.join(' + ')}`, () => {
    const { ok, output } = validate(configs);
    assert.ok(ok, output);
  });
}

test('otelcol validate really rejects a broken config (the check above is not vacuous)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callscope-validate-'));
  const bad = path.join(dir, 'bad.yaml');
  // `otlp` was renamed `otlp_grpc` but kept as an alias; a made-up key must fail.
  fs.writeFileSync(bad, 'exporters:\n  otlp_grpc/jaeger:\n    no_such_key: true\n');
  const { ok, output } = validate(['otel-collector.yaml', bad]);
  fs.rmSync(dir, { recursive: true });
  assert.equal(ok, false);
  assert.match(output, /no_such_key/);
});
