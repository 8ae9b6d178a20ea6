// `otelcol validate` (our built collector binary) on every config and every layering the docs tell
// users to run. Validation builds every component's config, so a renamed component or key fails here.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { printConfig, validate } from './lib/stack.mjs';

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

// What the layering resolves to with no CALLSCOPE_* variables set: the defaults the docs promise.
const clean = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('CALLSCOPE_')).map((k) => [k, undefined]));
const exportersOf = (c) => Object.fromEntries(Object.entries(c.service.pipelines).map(([k, p]) => [k, p.exporters]));

test('the main file alone is the local destination', () => {
  const c = printConfig(['otel-collector.yaml'], clean);
  assert.deepEqual(exportersOf(c), { traces: ['otlp_grpc/jaeger'], metrics: ['debug'], logs: ['debug'] });
  assert.deepEqual(c.processors.resource_detection.detectors, ['env']); // no cloud probes off AWS
  assert.equal(c.receivers.otlp.protocols.http.endpoint, 'localhost:4318');
});

test('collector/aws.yaml switches every signal to AWS and adds the AWS resource detectors', () => {
  const c = printConfig(['otel-collector.yaml', 'collector/aws.yaml'], clean);
  assert.deepEqual(exportersOf(c), { traces: ['awsxray'], metrics: ['awsemf'], logs: ['awscloudwatchlogs'] });
  assert.deepEqual(c.processors.resource_detection.detectors, ['env', 'eks', 'ecs', 'ec2']);
  assert.deepEqual(c.exporters.awsxray.indexed_attributes, ['callscope.service.name', 'callscope.service.category', 'callscope.severity']);
  // processors are untouched by the switch: the same sampling and redaction for both destinations
  assert.deepEqual(c.service.pipelines.traces.processors, ['memory_limiter', 'resource_detection', 'redaction', 'transform/classify', 'tail_sampling', 'batch']);
  // CloudWatch needs deltas; SDKs send cumulative
  assert.ok(c.service.pipelines.metrics.processors.includes('cumulative_to_delta'));
});

test('collector/agent.yaml forwards by trace id and does not tail-sample', () => {
  const c = printConfig(['otel-collector.yaml', 'collector/agent.yaml'], { ...clean, CALLSCOPE_GATEWAYS: '[10.0.0.1:4317, 10.0.0.2:4317]' });
  assert.equal(c.exporters.load_balancing.routing_key, 'traceID');
  assert.deepEqual(c.exporters.load_balancing.resolver.static.hostnames, ['10.0.0.1:4317', '10.0.0.2:4317']);
  assert.ok(!c.service.pipelines.traces.processors.includes('tail_sampling'));
  assert.deepEqual(exportersOf(c), { traces: ['load_balancing'], metrics: ['load_balancing/metrics'], logs: ['load_balancing'] });
});
