// resolveConfig: env over code for the standard variables, and one clear
// warning (variable, bad part, value used instead) for every bad value.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveConfig } from '../src/config.ts';

describe('resolveConfig', () => {
  test('defaults', () => {
    const config = resolveConfig({}, {});
    assert.equal(config.disabled, false);
    assert.equal(config.export.traces.url, 'http://localhost:4318/v1/traces');
    assert.equal(config.export.metrics.url, 'http://localhost:4318/v1/metrics');
    assert.equal(config.export.logs.protocol, 'http/protobuf');
    assert.equal(config.sampler, 'parentbased_always_on');
    assert.deepEqual(config.propagators, ['tracecontext', 'baggage']);
    assert.equal(config.enabledInstrumentations, undefined);
    assert.equal(config.shutdownTimeoutMs, 5000);
    assert.deepEqual(config.warnings, []);
  });

  test('standard env vars win over options', () => {
    const config = resolveConfig(
      { serviceName: 'from-code', endpoint: 'http://code:4318', protocol: 'http/json', sampler: 'always_off', samplerRatio: 0.2, headers: { a: 'code', b: 'code' } },
      {
        OTEL_SERVICE_NAME: 'from-env',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env:4318/',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_TRACES_SAMPLER: 'traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.5',
        OTEL_EXPORTER_OTLP_HEADERS: 'a=env,c=x%20y',
      },
    );
    assert.equal(config.serviceName, 'from-env');
    assert.equal(config.export.traces.url, 'http://env:4318/v1/traces');
    assert.equal(config.export.traces.protocol, 'http/protobuf');
    assert.equal(config.sampler, 'traceidratio');
    assert.equal(config.samplerRatio, 0.5);
    assert.deepEqual(config.export.traces.headers, { a: 'env', b: 'code', c: 'x y' });
    assert.deepEqual(config.warnings, []);
  });

  test('options apply when no env var is set', () => {
    const config = resolveConfig({ serviceName: 'from-code', endpoint: 'https://collector.internal:4318', protocol: 'http/json', environment: 'staging' }, {});
    assert.equal(config.serviceName, 'from-code');
    assert.equal(config.export.logs.url, 'https://collector.internal:4318/v1/logs');
    assert.equal(config.export.logs.protocol, 'http/json');
    assert.equal(config.resourceAttributes['deployment.environment.name'], 'staging');
  });

  test('per-signal endpoint, protocol and headers override the generic ones', () => {
    const config = resolveConfig({}, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom/path',
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'k=generic',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'k=metrics',
    });
    assert.equal(config.export.traces.url, 'http://traces:9999/custom/path');
    assert.equal(config.export.metrics.url, 'http://base:4318/v1/metrics');
    assert.equal(config.export.logs.protocol, 'http/json');
    assert.equal(config.export.traces.protocol, 'http/protobuf');
    assert.equal(config.export.metrics.headers.k, 'metrics');
    assert.equal(config.export.traces.headers.k, 'generic');
  });

  test('OTEL_RESOURCE_ATTRIBUTES, and OTEL_SERVICE_NAME over it', () => {
    const config = resolveConfig({}, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=res,team=payments,deployment.environment.name=prod', OTEL_SERVICE_NAME: 'svc' });
    assert.equal(config.serviceName, 'svc');
    assert.equal(config.resourceAttributes.team, 'payments');
    assert.equal(config.resourceAttributes['deployment.environment.name'], 'prod');
  });

  test('OTEL_SDK_DISABLED', () => {
    assert.equal(resolveConfig({}, { OTEL_SDK_DISABLED: 'true' }).disabled, true);
    assert.equal(resolveConfig({}, { OTEL_SDK_DISABLED: 'false' }).disabled, false);
  });

  test('instrumentation lists accept short and full names', () => {
    const config = resolveConfig({}, { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,@opentelemetry/instrumentation-undici,fs', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'fs' });
    assert.deepEqual(config.enabledInstrumentations, ['http', 'undici', 'fs']);
    assert.deepEqual(config.disabledInstrumentations, ['fs']);
  });

  // Each bad value: the variable is named, the bad part quoted, the fallback said.
  const BAD: [string, Record<string, string>, RegExp, (c: ReturnType<typeof resolveConfig>) => void][] = [
    ['unknown sampler', { OTEL_TRACES_SAMPLER: 'sometimes' }, /^OTEL_TRACES_SAMPLER: "sometimes" is not one of .*; using parentbased_always_on$/, (c) => assert.equal(c.sampler, 'parentbased_always_on')],
    ['sampler arg not a number', { OTEL_TRACES_SAMPLER_ARG: 'half' }, /^OTEL_TRACES_SAMPLER_ARG: "half" is not a number >= 0; using 1$/, (c) => assert.equal(c.samplerRatio, 1)],
    ['sampler arg above 1', { OTEL_TRACES_SAMPLER_ARG: '3' }, /^OTEL_TRACES_SAMPLER_ARG: 3 is above 1; using 1$/, (c) => assert.equal(c.samplerRatio, 1)],
    ['non-numeric batch delay', { OTEL_BSP_SCHEDULE_DELAY: 'soon' }, /^OTEL_BSP_SCHEDULE_DELAY: "soon" is not an integer >= 0; using 5000$/, (c) => assert.equal(c.spanBatch.scheduledDelayMillis, 5000)],
    ['negative queue size', { OTEL_BLRP_MAX_QUEUE_SIZE: '-4' }, /^OTEL_BLRP_MAX_QUEUE_SIZE: "-4" is not an integer >= 1; using 2048$/, (c) => assert.equal(c.logBatch.maxQueueSize, 2048)],
    ['batch larger than queue', { OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500' }, /^OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 500 is larger than OTEL_BSP_MAX_QUEUE_SIZE; using 100$/, (c) => assert.equal(c.spanBatch.maxExportBatchSize, 100)],
    ['malformed endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost 4318' }, /^OTEL_EXPORTER_OTLP_ENDPOINT: "localhost 4318" is not a valid URL; using http:\/\/localhost:4318$/, (c) => assert.equal(c.export.traces.url, 'http://localhost:4318/v1/traces')],
    ['endpoint without http', { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' }, /must start with http:\/\/ or https:\/\//, (c) => assert.equal(c.export.traces.url, 'http://localhost:4318/v1/traces')],
    ['malformed headers', { OTEL_EXPORTER_OTLP_HEADERS: 'good=1,justtext' }, /^OTEL_EXPORTER_OTLP_HEADERS: "justtext" is not key=value; using the other entries$/, (c) => assert.deepEqual(c.export.traces.headers, { good: '1' })],
    ['unknown instrumentation', { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,grpc-web' }, /^OTEL_NODE_ENABLED_INSTRUMENTATIONS: unknown instrumentation "grpc-web" \(known: .*\); using the others$/, (c) => assert.deepEqual(c.enabledInstrumentations, ['http'])],
    ['grpc protocol', { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, /^OTEL_EXPORTER_OTLP_PROTOCOL: grpc is not shipped .*; using http\/protobuf$/, (c) => assert.equal(c.export.traces.protocol, 'http/protobuf')],
    ['unknown protocol', { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'carrier-pigeon' }, /^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "carrier-pigeon" is not one of http\/protobuf, http\/json; using http\/protobuf$/, (c) => assert.equal(c.export.traces.protocol, 'http/protobuf')],
    ['unknown propagator', { OTEL_PROPAGATORS: 'tracecontext,b3' }, /^OTEL_PROPAGATORS: "b3" is not supported/, (c) => assert.deepEqual(c.propagators, ['tracecontext'])],
    ['bad boolean', { OTEL_SDK_DISABLED: 'maybe' }, /^OTEL_SDK_DISABLED: "maybe" is not true\/false; using false$/, (c) => assert.equal(c.disabled, false)],
    ['bad log level', { OTEL_LOG_LEVEL: 'loud' }, /^OTEL_LOG_LEVEL: "loud" is not one of .*; using info$/, (c) => assert.equal(c.diagLevel, 'info')],
  ];
  for (const [name, env, message, check] of BAD) {
    test(`bad value: ${name}`, () => {
      const config = resolveConfig({}, env);
      assert.equal(config.warnings.length, 1, `exactly one warning: ${JSON.stringify(config.warnings)}`);
      assert.match(config.warnings[0]!, message);
      check(config);
    });
  }
});
