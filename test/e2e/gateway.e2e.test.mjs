// Scale-out (docs/scaling.md): 1 agent (otel-collector.yaml + collector/agent.yaml) load-balancing by
// trace id over 2 gateways (otel-collector.yaml as shipped, tail sampling on) that export to Jaeger.
// Each gateway stamps its name on what it exports, so Jaeger shows which gateway handled each span.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SpanKind, StatusCode, post, resource, span, spanId, traceId, tracesPayload } from './lib/otlp.mjs';
import { Procs, eventually } from './lib/procs.mjs';
import { jaegerTrace, jaegerTraces, startCollector, startJaeger } from './lib/stack.mjs';

const SERVICE = 'e2e-gateway-app';
const N_ERROR = 20;
const N_OK = 10;
const procs = new Procs('gateway');
let jaeger;
const errorTraces = [];
const okTraces = [];

before(async () => {
  jaeger = await startJaeger(procs);
  const gateways = [];
  for (const gw of ['gateway-1', 'gateway-2']) {
    gateways.push(
      await startCollector(procs, {
        name: gw,
        env: {
          CALLSCOPE_JAEGER_ENDPOINT: jaeger.otlpGrpc,
          CALLSCOPE_SAMPLING_PERCENT: '0', // keep only what the error policy keeps: proves whole-trace decisions
          OTEL_RESOURCE_ATTRIBUTES: `callscope.e2e.gateway=${gw}`, // picked up by resource_detection [env]
        },
      }),
    );
  }
  const agent = await startCollector(procs, {
    name: 'agent',
    configs: ['otel-collector.yaml', 'collector/agent.yaml'],
    env: { CALLSCOPE_GATEWAYS: `[${gateways.map((g) => g.otlpGrpc).join(', ')}]` },
  });

  // Each trace has 3 spans sent in 3 separate requests, interleaved across traces, so only routing by
  // trace id can put a whole trace on one gateway. The error is on the LAST span of a trace: a gateway
  // that saw only the first two would drop them.
  const batches = [[], [], []];
  for (let i = 0; i < N_ERROR + N_OK; i++) {
    const isError = i < N_ERROR;
    const t = traceId();
    (isError ? errorTraces : okTraces).push(t);
    const root = spanId();
    batches[0].push(span({ trace: t, id: root, name: 'GET /work', kind: SpanKind.SERVER, durationMs: 50, attributes: { 'callscope.severity': 'info' } }));
    batches[1].push(span({ trace: t, parent: root, name: 'cache get', kind: SpanKind.CLIENT, durationMs: 5, attributes: { 'callscope.service.category': 'cache', 'callscope.severity': 'info' } }));
    batches[2].push(span({ trace: t, parent: root, name: 'POST', kind: SpanKind.CLIENT, durationMs: 20, status: isError ? StatusCode.ERROR : StatusCode.UNSET, attributes: { 'http.response.status_code': isError ? 503 : 200, 'callscope.service.category': 'http', 'callscope.severity': isError ? 'error' : 'info' } }));
  }
  for (const b of batches) {
    await post(agent.otlpHttp, 'v1/traces', tracesPayload(resource(SERVICE), b));
    await new Promise((r) => setTimeout(r, 300)); // separate agent batches
  }
  await eventually(async () => (await jaegerTraces(jaeger.queryUrl, SERVICE)).length >= N_ERROR, { what: `${N_ERROR} error traces in Jaeger`, timeoutMs: 40_000 });
  await new Promise((r) => setTimeout(r, 3000)); // let any wrongly kept partial traces arrive too
});

after(() => procs.stopAll());

function gatewayOf(t, s) {
  const tags = t.processes[s.processID].tags;
  return tags.find((x) => x.key === 'callscope.e2e.gateway')?.value;
}

test('every error trace is kept, whole, and all of its spans went through one gateway', async () => {
  const used = new Set();
  for (const id of errorTraces) {
    const t = await jaegerTrace(jaeger.queryUrl, id);
    assert.ok(t, `error trace ${id} missing`);
    assert.equal(t.spans.length, 3, `trace ${id} incomplete`);
    const gws = new Set(t.spans.map((s) => gatewayOf(t, s)));
    assert.equal(gws.size, 1, `trace ${id} split across ${[...gws]}`);
    used.add([...gws][0]);
  }
  // 20 traces on 2 gateways: both are used unless routing is broken (chance 2 in a million).
  assert.deepEqual([...used].sort(), ['gateway-1', 'gateway-2']);
});

test('ok traces are dropped by the gateways (sampling share 0%)', async () => {
  const kept = new Set((await jaegerTraces(jaeger.queryUrl, SERVICE)).map((t) => t.traceID));
  assert.deepEqual(okTraces.filter((id) => kept.has(id)), []);
});
