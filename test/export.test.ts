// Export settings seen from the receiver and the upstream: OTLP/JSON, the
// X-Ray propagator, samplers, instrumentation selection, resource attributes
// and a quiet start with OTEL_LOG_LEVEL=none.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Fixture } from './helpers/run-fixture.ts';
import type { ReceivedSpan } from './helpers/otlp-receiver.ts';
import { useTestServers } from './helpers/servers.ts';

const servers = useTestServers();

/** Runs http-app.mjs for one request; returns its result and the upstream requests it made. */
async function run(service: string, env: Record<string, string> = {}) {
  const seenBefore = servers.upstream.requests.length;
  const app = new Fixture({
    args: ['--import', 'callscope/register', 'http-app.mjs'],
    env: { OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: servers.receiver.url, UPSTREAM_URL: servers.upstream.url, FIXTURE_REQUESTS: '1', ...env },
  });
  try {
    const port = (await app.waitForOutput(/listening \d+/)).split(' ')[1];
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'fetch=200 request=200');
    const result = await app.exited;
    assert.equal(result.code, 0, result.stderr);
    return { result, upstreamRequests: servers.upstream.requests.slice(seenBefore) };
  } finally {
    app.kill();
  }
}

const spansOf = (service: string): ReceivedSpan[] => servers.receiver.spans.filter((s) => s.resource['service.name'] === service);

describe('export settings', () => {
  test('OTEL_EXPORTER_OTLP_PROTOCOL=http/json sends OTLP/JSON for every signal', async () => {
    const service = 'export-json';
    const requestsBefore = servers.receiver.requests.length;
    await run(service, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    await servers.receiver.waitFor(() => spansOf(service).length >= 3, 10000, 'JSON spans');
    const mine = servers.receiver.requests.slice(requestsBefore);
    const traces = mine.filter((r) => r.path === '/v1/traces');
    assert.ok(traces.length > 0);
    assert.ok(traces.every((r) => r.contentType.includes('application/json')), traces.map((r) => r.contentType).join());
    assert.ok(mine.filter((r) => r.path === '/v1/metrics').every((r) => r.contentType.includes('application/json')));
    const server = spansOf(service).find((s) => s.kind === 2)!;
    assert.match(server.traceId, /^[0-9a-f]{32}$/);
  });

  test('OTEL_PROPAGATORS=xray,tracecontext sends X-Amzn-Trace-Id with the same trace', async () => {
    const service = 'export-xray';
    const { upstreamRequests } = await run(service, { OTEL_PROPAGATORS: 'xray,tracecontext' });
    await servers.receiver.waitFor(() => spansOf(service).length >= 3, 10000, 'spans');
    const traceId = spansOf(service).find((s) => s.kind === 2)!.traceId;
    const header = String(upstreamRequests[0]?.headers['x-amzn-trace-id'] ?? '');
    assert.match(header, new RegExp(`^Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=[0-9a-f]{16};Sampled=1$`));
    assert.ok(upstreamRequests[0]?.headers.traceparent, 'tracecontext too');
  });

  test('OTEL_TRACES_SAMPLER=always_off: no spans exported, no sampled traceparent', async () => {
    const service = 'export-always-off';
    const { upstreamRequests } = await run(service, { OTEL_TRACES_SAMPLER: 'always_off' });
    await servers.receiver.waitFor(() => servers.receiver.metrics.some((m) => m.resource['service.name'] === service), 10000, 'metrics still exported');
    assert.equal(spansOf(service).length, 0);
    assert.match(String(upstreamRequests[0]?.headers.traceparent ?? ''), /-00$/, 'propagated as not sampled');
  });

  test('OTEL_NODE_DISABLED_INSTRUMENTATIONS=undici: no fetch span, http spans still there', async () => {
    const service = 'export-no-undici';
    const { result } = await run(service, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'undici' });
    await servers.receiver.waitFor(() => spansOf(service).length >= 2, 10000, 'spans');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(spansOf(service).map((s) => s.scope).sort(), ['@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-http']);
    assert.doesNotMatch(result.stderr, /instrumentations=[^ ]*undici/);
  });

  test('OTEL_NODE_ENABLED_INSTRUMENTATIONS=http,fs turns on an instrumentation that is off by default', async () => {
    const service = 'export-fs';
    const { result } = await run(service, { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,fs' });
    assert.match(result.stderr, /instrumentations=http,fs /);
    await servers.receiver.waitFor(() => spansOf(service).some((s) => s.scope === '@opentelemetry/instrumentation-fs'), 10000, 'an fs span');
    assert.ok(!spansOf(service).some((s) => s.scope === '@opentelemetry/instrumentation-undici'));
  });

  test('resource: service, version, environment, host and process; OTEL_LOG_LEVEL=none keeps stderr quiet', async () => {
    const service = 'export-resource';
    const { result } = await run(service, { OTEL_RESOURCE_ATTRIBUTES: 'service.version=9.9.9,team=core', NODE_ENV: 'staging', OTEL_LOG_LEVEL: 'none' });
    assert.equal(result.stderr, '');
    await servers.receiver.waitFor(() => spansOf(service).length >= 1, 10000, 'spans');
    const resource = spansOf(service)[0]!.resource;
    assert.equal(resource['service.version'], '9.9.9');
    assert.equal(resource.team, 'core');
    assert.equal(resource['deployment.environment.name'], 'staging');
    assert.equal(typeof resource['host.name'], 'string');
    assert.equal(typeof resource['process.pid'], 'number');
    assert.equal(resource['process.runtime.name'], 'nodejs');
    assert.equal(resource['telemetry.sdk.language'], 'nodejs');
  });
});
