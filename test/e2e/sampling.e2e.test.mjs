// Tail sampling as configured in otel-collector.yaml: every error/fatal trace kept, slow traces kept,
// the rest thinned to CALLSCOPE_SAMPLING_PERCENT. Real collector, real Jaeger.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SpanKind, StatusCode, post, resource, span, spanId, traceId, tracesPayload } from './lib/otlp.mjs';
import { Procs, eventually } from './lib/procs.mjs';
import { jaegerTraces, startCollector, startJaeger } from './lib/stack.mjs';

const SERVICE = 'e2e-sampling-app';
const PERCENT = 25;
const OK = 120;
const procs = new Procs('sampling');
let jaeger;
const sent = { error: [], fatal: [], slow: [], foreignError: [], ok: [] };

function trace(kind) {
  const t = traceId();
  const root = spanId();
  const sev = { error: 'error', fatal: 'fatal', slow: 'info', ok: 'info' }[kind];
  const rootAttrs = { 'http.route': `/${kind}`, 'http.response.status_code': kind === 'error' ? 500 : 200 };
  if (sev) rootAttrs['callscope.severity'] = sev; // foreignError: a span from code without callscope
  const spans = [
    span({ trace: t, id: root, name: `GET /${kind}`, kind: SpanKind.SERVER, durationMs: kind === 'slow' ? 4000 : 30, attributes: rootAttrs, status: kind === 'error' || kind === 'foreignError' || kind === 'fatal' ? StatusCode.ERROR : StatusCode.UNSET }),
    span({ trace: t, parent: root, name: 'SELECT', kind: SpanKind.CLIENT, durationMs: 10, attributes: { 'db.system.name': 'postgresql', ...(sev ? { 'callscope.severity': 'info' } : {}) } }),
  ];
  sent[kind].push(t);
  return spans;
}

before(async () => {
  jaeger = await startJaeger(procs);
  const collector = await startCollector(procs, {
    env: { CALLSCOPE_JAEGER_ENDPOINT: jaeger.otlpGrpc, CALLSCOPE_SAMPLING_PERCENT: String(PERCENT), CALLSCOPE_SLOW_TRACE_MS: '3000' },
  });
  const spans = [];
  for (let i = 0; i < 10; i++) spans.push(...trace('error'));
  for (let i = 0; i < 3; i++) spans.push(...trace('fatal'), ...trace('slow'), ...trace('foreignError'));
  for (let i = 0; i < OK; i++) spans.push(...trace('ok'));
  await post(collector.otlpHttp, 'v1/traces', tracesPayload(resource(SERVICE), spans));
  // decision_wait is 2s in the tests; wait until the kept error traces show up, then a little more.
  await eventually(async () => (await jaegerTraces(jaeger.queryUrl, SERVICE)).length >= 19, { what: 'sampled traces', timeoutMs: 30_000 });
  await new Promise((r) => setTimeout(r, 3000));
});

after(() => procs.stopAll());

const keptIds = async () => new Set((await jaegerTraces(jaeger.queryUrl, SERVICE)).map((t) => t.traceID));

test('every error and fatal trace is kept', async () => {
  const kept = await keptIds();
  for (const id of [...sent.error, ...sent.fatal]) assert.ok(kept.has(id), `error/fatal trace ${id} dropped`);
});

test('error traces from code without callscope.severity are kept by span status', async () => {
  const kept = await keptIds();
  for (const id of sent.foreignError) assert.ok(kept.has(id), `status-ERROR trace ${id} dropped`);
});

test('slow traces are kept', async () => {
  const kept = await keptIds();
  for (const id of sent.slow) assert.ok(kept.has(id), `slow trace ${id} dropped`);
});

test(`ok traces are thinned to about ${PERCENT}%`, async () => {
  const kept = await keptIds();
  const n = sent.ok.filter((id) => kept.has(id)).length;
  // Binomial(120, 0.25): mean 30, sd 4.7; the bounds are > 3 sd away, so this does not flake.
  assert.ok(n >= 12 && n <= 50, `${n} of ${OK} ok traces kept`);
});
