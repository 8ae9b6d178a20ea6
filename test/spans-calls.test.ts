// Classification, severity and call metrics on real clients: the openai client
// (chat, streaming chat, embeddings), Bedrock Runtime (InvokeModel with a Titan
// embedding model and an Anthropic model, Converse), S3, and plain fetch /
// http.request to a host covered by a CALLSCOPE_SERVICES rule and to one covered
// by nothing; each through every outcome (200, 404, 429, 500, connection
// refused, timeout). One fixture run makes all the calls; the assertions are on
// what the OTLP receiver got.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeApis } from './helpers/fake-apis.ts';
import { OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';
import { findClosedPort } from './helpers/servers.ts';
import { FIXTURES, Fixture } from './helpers/run-fixture.ts';

const CLIENT = 3;
const STATUS_ERROR = 2;

let receiver: OtlpReceiver;
let fake: FakeApis;
let closedPort: number;

before(async () => {
  receiver = await new OtlpReceiver().start();
  fake = await new FakeApis().start();
  closedPort = await findClosedPort();
});
after(async () => {
  await receiver.stop();
  await fake.stop();
});

interface Case {
  id: string;
  op: string;
  base?: string;
  url?: string;
  timeoutMs?: number;
  retries?: number;
  expect: { service: string; category: string; severity: string; statusError: boolean };
}

const OUTCOMES = [
  { name: '200', prefix: '', severity: 'info', statusError: false },
  { name: '404', prefix: '/status/404', severity: 'warn', statusError: true },
  { name: '429', prefix: '/status/429', severity: 'warn', statusError: true },
  { name: '500', prefix: '/status/500', severity: 'error', statusError: true },
  { name: 'refused', prefix: '', severity: 'error', statusError: true, refused: true },
  { name: 'timeout', prefix: '/slow/3000', severity: 'error', statusError: true, timeoutMs: 400 },
];

function buildCases(): Case[] {
  const sdkOps = [
    { op: 'openai.chat', service: 'openai', category: 'llm' },
    { op: 'openai.stream', service: 'openai', category: 'llm' },
    { op: 'openai.embeddings', service: 'openai', category: 'embeddings' },
    { op: 'bedrock.titan', service: 'aws.bedrock-runtime', category: 'embeddings' },
    { op: 'bedrock.anthropic', service: 'aws.bedrock-runtime', category: 'llm' },
    { op: 'bedrock.converse', service: 'aws.bedrock-runtime', category: 'llm' },
    { op: 's3.put', service: 'aws.s3', category: 'storage' },
    { op: 's3.get', service: 'aws.s3', category: 'storage' },
  ];
  const cases: Case[] = [];
  for (const outcome of OUTCOMES) {
    const origin = outcome.refused ? `http://127.0.0.1:${closedPort}` : fake.url;
    const common = { timeoutMs: outcome.timeoutMs, expect: { severity: outcome.severity, statusError: outcome.statusError } };
    for (const { op, service, category } of sdkOps) {
      cases.push({ id: `${op}/${outcome.name}`, op, base: origin + outcome.prefix, ...common, expect: { ...common.expect, service, category } });
    }
    for (const op of ['fetch', 'http']) {
      cases.push({ id: `${op}-rule/${outcome.name}`, op, url: `${origin}/partner${outcome.prefix}/x`, ...common, expect: { ...common.expect, service: 'partner-api', category: 'http' } });
      const host = new URL(origin).host;
      cases.push({ id: `${op}-unknown/${outcome.name}`, op, url: `${origin}${outcome.prefix}/x`, ...common, expect: { ...common.expect, service: host, category: 'internal' } });
    }
  }
  // Succeeded after a retry -> warn; slower than the category threshold (http=250 below) -> warn.
  const retried = { severity: 'warn', statusError: false };
  cases.push({ id: 's3.get/retried', op: 's3.get', base: `${fake.url}/flaky/1`, retries: 2, expect: { service: 'aws.s3', category: 'storage', ...retried } });
  cases.push({ id: 'openai.chat/retried', op: 'openai.chat', base: `${fake.url}/flaky/1`, retries: 2, expect: { service: 'openai', category: 'llm', ...retried } });
  // A stream the app stops reading half-way, and one the server drops half-way: the span still ends.
  cases.push({ id: 'openai.stream/aborted', op: 'openai.stream-abort', base: fake.url, expect: { service: 'openai', category: 'llm', severity: 'warn', statusError: false } });
  cases.push({ id: 'openai.stream/broken', op: 'openai.stream-broken', base: fake.url, expect: { service: 'openai', category: 'llm', severity: 'error', statusError: true } });
  cases.push({ id: 'fetch-rule/slow', op: 'fetch', url: `${fake.url}/partner/slow/400/x`, expect: { service: 'partner-api', category: 'http', ...retried } });
  return cases;
}

const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) => spans.filter((s) => s.parentSpanId === parent.spanId && s.traceId === parent.traceId);

describe('external calls: service, category, severity, metrics', () => {
  test('every client and outcome', { timeout: 180000 }, async () => {
    const cases = buildCases();
    const service = 'calls-matrix';
    const rules = `127.0.0.1:${fake.port}/partner=partner-api:http,127.0.0.1:${closedPort}/partner=partner-api:http`;
    const app = new Fixture({
      args: ['--import', 'callscope/register', 'calls-app.mjs'],
      cwd: FIXTURES,
      timeoutMs: 150000,
      env: { OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, CASES: JSON.stringify(cases), CALLSCOPE_SERVICES: rules, CALLSCOPE_SLOW_MS: 'http=250' },
    });
    const result = await app.exited;
    assert.equal(result.code, 0, `exit status; stderr: ${result.stderr}`);
    assert.match(result.stdout, /done/);
    const mine = (s: ReceivedSpan) => s.resource['service.name'] === service;
    await receiver.waitFor((r) => r.spans.filter((s) => mine(s) && s.name.startsWith('case ')).length >= cases.length, 30000, 'all case spans');
    const spans = receiver.spans.filter(mine);

    const failures: string[] = [];
    for (const c of cases) {
      const root = spans.find((s) => s.name === `case ${c.id}`);
      if (!root) {
        failures.push(`${c.id}: no case span`);
        continue;
      }
      const calls = childrenOf(spans, root).filter((s) => s.kind === CLIENT);
      if (calls.length !== 1) {
        failures.push(`${c.id}: ${calls.length} client spans under the case span`);
        continue;
      }
      const call = calls[0]!;
      const got = {
        service: call.attributes['callscope.service.name'],
        category: call.attributes['callscope.service.category'],
        severity: call.attributes['callscope.severity'],
        statusError: call.status.code === STATUS_ERROR,
      };
      try {
        assert.deepEqual(got, c.expect);
        assert.equal(call.attributes['peer.service'], c.expect.service);
        assert.equal(call.attributes['server.service.name'], c.expect.service);
        // The SDK's own HTTP attempts belong to the same service.
        for (const nested of childrenOf(spans, call)) assert.equal(nested.attributes['callscope.service.name'], c.expect.service, `nested ${nested.name}`);
      } catch {
        failures.push(`${c.id}: expected ${JSON.stringify(c.expect)}, got ${JSON.stringify(got)} (${call.name} ${call.status.message})`);
      }
      if (root.attributes['callscope.severity'] !== 'info') failures.push(`${c.id}: the app's own span (caught error) is ${root.attributes['callscope.severity']}`);
    }
    assert.deepEqual(failures, [], `\n${failures.join('\n')}\nstdout:\n${result.stdout}`);

    // Streams: the span covers the whole stream (not just the headers) and knows when the first chunk came.
    const callOf = (id: string) => childrenOf(spans, spans.find((s) => s.name === `case ${id}`)!).find((s) => s.kind === CLIENT)!;
    const streamed = callOf('openai.stream/200');
    const firstChunkMs = streamed.attributes['callscope.gen_ai.time_to_first_chunk_ms'] as number;
    const durationMs = Number(streamed.endNs - streamed.startNs) / 1e6;
    // Only the order is asserted: on a loaded machine the client may read the chunks in a burst.
    assert.ok(firstChunkMs > 0 && firstChunkMs < durationMs, `first chunk at ${firstChunkMs} ms of ${durationMs} ms (five chunks 30 ms apart)`);
    assert.equal(callOf('openai.stream/aborted').attributes['callscope.stream.aborted'], true);
    assert.equal(callOf('openai.stream/broken').attributes['callscope.stream.aborted'], true);
    assert.equal(streamed.attributes['callscope.stream.aborted'], undefined);

    // One histogram point per call, nested HTTP attempts not counted twice.
    await receiver.waitFor((r) => r.metrics.some((m) => m.name === 'callscope.external.duration' && m.resource['service.name'] === service), 15000, 'call metrics');
    const metric = receiver.metrics.filter((m) => m.name === 'callscope.external.duration' && m.resource['service.name'] === service).at(-1)!;
    assert.equal(metric.unit, 's');
    assert.equal(metric.type, 'histogram');
    assert.equal(metric.temporality, 'cumulative');
    const counted = new Map<string, number>();
    for (const point of metric.points) {
      const key = ['callscope.service.name', 'callscope.service.category', 'callscope.severity'].map((k) => point.attributes[k]).join('|');
      counted.set(key, (counted.get(key) ?? 0) + point.count!);
      if (point.attributes['callscope.severity'] === 'error') assert.ok(point.attributes['error.type'], `error.type on ${JSON.stringify(point.attributes)}`);
    }
    const expected = new Map<string, number>();
    for (const c of cases) {
      const key = [c.expect.service, c.expect.category, c.expect.severity].join('|');
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries([...counted].sort()), Object.fromEntries([...expected].sort()));
  });

  test('unsampled traces: no spans exported, every call still counted (delta temporality)', { timeout: 60000 }, async () => {
    const service = 'calls-unsampled';
    const cases: Partial<Case>[] = [
      { id: 'a', op: 'openai.chat', base: fake.url },
      { id: 'b', op: 'openai.chat', base: `${fake.url}/status/500` },
      { id: 'c', op: 's3.put', base: fake.url },
    ];
    const app = new Fixture({
      args: ['--import', 'callscope/register', 'calls-app.mjs'],
      cwd: FIXTURES,
      env: {
        OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, CASES: JSON.stringify(cases), OTEL_TRACES_SAMPLER: 'always_off',
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta', OTEL_METRIC_EXPORT_INTERVAL: '200',
      },
    });
    const result = await app.exited;
    assert.equal(result.code, 0, result.stderr);
    await receiver.waitFor((r) => r.metrics.some((m) => m.name === 'callscope.external.duration' && m.resource['service.name'] === service), 15000, 'call metrics');
    // Delta: each export holds the calls since the previous one; together, every call once.
    const exports = receiver.metrics.filter((m) => m.name === 'callscope.external.duration' && m.resource['service.name'] === service);
    assert.ok(exports.every((m) => m.temporality === 'delta'), JSON.stringify(exports.map((m) => m.temporality)));
    const counts = new Map<string, number>();
    for (const point of exports.flatMap((m) => m.points)) {
      const key = `${point.attributes['callscope.service.name']}/${point.attributes['callscope.severity']}`;
      counts.set(key, (counts.get(key) ?? 0) + point.count!);
    }
    assert.deepEqual([...counts].map(([k, n]) => `${k}=${n}`).sort(), ['aws.s3/info=1', 'openai/error=1', 'openai/info=1']);
    assert.equal(receiver.spans.filter((s) => s.resource['service.name'] === service).length, 0, 'nothing sampled, nothing exported');
  });
});
