// Local destination: OTLP/HTTP -> our collector (otel-collector.yaml as shipped) -> Jaeger v2.
// Proves the spans are findable in Jaeger by callscope.service.category and callscope.severity, and
// that the collector's redaction masks secrets that slipped past the SDK.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SpanKind, StatusCode, post, resource, span, spanId, traceId, tracesPayload } from './lib/otlp.mjs';
import { Procs, eventually } from './lib/procs.mjs';
import { jaegerTrace, jaegerTraces, startCollector, startJaeger, tagsOf } from './lib/stack.mjs';

const SERVICE = 'e2e-local-app';
const procs = new Procs('local');
let jaeger;
let collector;
const traces = {};

/** A server span with one outbound child, as callscope would emit for one request. */
function request({ route, client }) {
  const trace = traceId();
  const root = spanId();
  const spans = [
    span({ trace, id: root, name: `GET ${route}`, kind: SpanKind.SERVER, durationMs: 60, attributes: { 'http.request.method': 'GET', 'http.route': route, 'http.response.status_code': 200, 'callscope.severity': 'info' } }),
    span({ trace, parent: root, kind: SpanKind.CLIENT, durationMs: 40, ...client }),
  ];
  return { trace, spans };
}

before(async () => {
  jaeger = await startJaeger(procs);
  collector = await startCollector(procs, { env: { CALLSCOPE_JAEGER_ENDPOINT: jaeger.otlpGrpc } });

  traces.llmError = request({
    route: '/chat',
    client: {
      name: 'POST',
      status: StatusCode.ERROR,
      attributes: {
        'http.request.method': 'POST', 'server.address': 'api.openai.com', 'url.full': 'https://api.openai.com/v1/chat/completions',
        'http.response.status_code': 500, 'error.type': '500',
        'callscope.service.name': 'openai', 'callscope.service.category': 'llm', 'callscope.severity': 'error',
        'peer.service': 'openai', 'server.service.name': 'openai',
        // secrets that the SDK should have removed; the collector is the second line of defence
        'http.request.header.authorization': 'Bearer abc.def.ghi',
        'gen_ai.request.note': 'key is sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX',
      },
    },
  });
  traces.throttled = request({
    route: '/pay',
    client: {
      name: 'POST',
      status: StatusCode.ERROR, // semconv: a client 4xx is status ERROR; our severity says warn
      attributes: { 'http.request.method': 'POST', 'server.address': 'api.stripe.com', 'http.response.status_code': 429, 'callscope.service.name': 'api.stripe.com', 'callscope.service.category': 'http', 'callscope.severity': 'warn', 'peer.service': 'api.stripe.com' },
    },
  });
  traces.ok = request({
    route: '/items',
    client: { name: 'GET', attributes: { 'server.address': '127.0.0.1', 'http.response.status_code': 200, 'callscope.service.name': '127.0.0.1:8080', 'callscope.service.category': 'internal', 'callscope.severity': 'info' } },
  });
  const allSpans = Object.values(traces).flatMap((t) => t.spans);
  await post(collector.otlpHttp, 'v1/traces', tracesPayload(resource(SERVICE), allSpans));
});

after(() => procs.stopAll());

test('every trace reaches Jaeger through the collector', async () => {
  for (const [name, { trace }] of Object.entries(traces)) {
    const t = await eventually(() => jaegerTrace(jaeger.queryUrl, trace), { what: `trace ${name}` });
    assert.equal(t.spans.length, 2, name);
  }
});

test('Jaeger finds traces by callscope.service.category', async () => {
  const found = await eventually(() => jaegerTraces(jaeger.queryUrl, SERVICE, { 'callscope.service.category': 'llm' }).then((d) => d.length && d), { what: 'llm traces' });
  assert.deepEqual(found.map((t) => t.traceID), [traces.llmError.trace]);
});

test('Jaeger finds traces by callscope.severity', async () => {
  const errors = await eventually(() => jaegerTraces(jaeger.queryUrl, SERVICE, { 'callscope.severity': 'error' }).then((d) => d.length && d), { what: 'error traces' });
  assert.deepEqual(errors.map((t) => t.traceID), [traces.llmError.trace]);
  const warns = await jaegerTraces(jaeger.queryUrl, SERVICE, { 'callscope.severity': 'warn' });
  assert.deepEqual(warns.map((t) => t.traceID), [traces.throttled.trace]);
});

test('peer.service and the HTTP status survive the pipeline (Jaeger service map reads peer.service)', async () => {
  const t = await jaegerTrace(jaeger.queryUrl, traces.throttled.trace);
  const client = t.spans.find((s) => tagsOf(s)['span.kind'] === 'client');
  assert.equal(tagsOf(client)['peer.service'], 'api.stripe.com');
  assert.equal(tagsOf(client)['http.response.status_code'], 429);
});

test('the collector masks secret-named keys and secret-shaped values', async () => {
  const t = await jaegerTrace(jaeger.queryUrl, traces.llmError.trace);
  const tags = tagsOf(t.spans.find((s) => tagsOf(s)['callscope.service.name'] === 'openai'));
  assert.doesNotMatch(tags['http.request.header.authorization'], /abc/);
  assert.doesNotMatch(tags['gen_ai.request.note'], /sk-proj-ABCDEF/);
  assert.match(tags['gen_ai.request.note'], /^key is \*+$/);
  assert.equal(tags['url.full'], 'https://api.openai.com/v1/chat/completions'); // ordinary values untouched
});
