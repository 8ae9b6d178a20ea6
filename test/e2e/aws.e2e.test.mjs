// AWS destination: OTLP/HTTP -> our collector (otel-collector.yaml + collector/aws.yaml, unchanged
// except for the endpoint variable) -> moto server standing in for X-Ray, CloudWatch Logs and EMF.
// Everything is read back with boto3, the way a user's tooling would read real AWS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SpanKind, StatusCode, durationHistogram, logRecord, logsPayload, metricsPayload, post, resource, span, spanId, traceId, tracesPayload, xrayTraceId } from './lib/otlp.mjs';
import { Procs, eventually } from './lib/procs.mjs';
import { AWS_ENV, aws, startCollector, startMoto } from './lib/stack.mjs';

const SERVICE = 'e2e-aws-app';
const LOG_GROUP = '/callscope/e2e/app';
const LOG_STREAM = 'e2e';
const EMF_GROUP = '/callscope/e2e/metrics';
const EMF_STREAM = 'e2e-metrics';
const procs = new Procs('aws');
let moto;
const trace = traceId();
const root = spanId();
// One request that made three outbound calls: 500 -> fault, 429 -> throttle, 404 -> error.
const calls = [
  { name: 'bedrock', status: 500, service: 'aws.bedrock-runtime', category: 'llm', severity: 'error' },
  { name: 'openai', status: 429, service: 'openai', category: 'llm', severity: 'warn' },
  { name: 'stripe', status: 404, service: 'api.stripe.com', category: 'http', severity: 'warn' },
].map((c) => ({ ...c, id: spanId() }));

before(async () => {
  moto = await startMoto(procs);
  const collector = await startCollector(procs, {
    configs: ['otel-collector.yaml', 'collector/aws.yaml'],
    env: {
      ...AWS_ENV,
      CALLSCOPE_AWS_ENDPOINT: moto.endpoint,
      CALLSCOPE_CW_LOG_GROUP: LOG_GROUP,
      CALLSCOPE_CW_LOG_STREAM: LOG_STREAM,
      CALLSCOPE_EMF_LOG_GROUP: EMF_GROUP,
      CALLSCOPE_EMF_LOG_STREAM: EMF_STREAM,
    },
  });
  const res = resource(SERVICE);
  const spans = [
    span({ trace, id: root, name: 'POST /generate', kind: SpanKind.SERVER, durationMs: 300, status: StatusCode.ERROR, attributes: { 'http.request.method': 'POST', 'http.route': '/generate', 'http.response.status_code': 502, 'callscope.severity': 'error' } }),
    ...calls.map((c) =>
      span({
        trace, id: c.id, parent: root, name: 'POST', kind: SpanKind.CLIENT, durationMs: 50, status: StatusCode.ERROR,
        attributes: {
          'http.request.method': 'POST', 'http.response.status_code': c.status, 'server.address': `${c.name}.example`, 'url.full': `https://${c.name}.example/v1`,
          'callscope.service.name': c.service, 'callscope.service.category': c.category, 'callscope.severity': c.severity, 'peer.service': c.service,
        },
      }),
    ),
  ];
  await post(collector.otlpHttp, 'v1/traces', tracesPayload(res, spans));
  await post(collector.otlpHttp, 'v1/logs', logsPayload(res, [
    logRecord({ level: 'error', message: 'bedrock answered 500', trace, span: calls[0].id, attributes: { 'callscope.service.name': 'aws.bedrock-runtime' } }),
    logRecord({ level: 'info', message: 'request done', trace, span: root }),
  ]));
  // The Node SDK's default: cumulative. Two exports of one series that began after the collector did:
  // 2 calls, then 3 more. CloudWatch must see 2 and 3 (deltas), not 2 and 5.
  const since = Date.now();
  await new Promise((r) => setTimeout(r, 100)); // a point stamped at its own start time counts as a reset
  const anthropic = { 'callscope.service.name': 'anthropic', 'callscope.service.category': 'llm', 'callscope.severity': 'info' };
  await post(collector.otlpHttp, 'v1/metrics', metricsPayload(res, [durationHistogram([{ attributes: anthropic, values: [1, 2] }], { cumulativeSinceMs: since })]));
  await new Promise((r) => setTimeout(r, 1500)); // a later timestamp, and a separate batch
  await post(collector.otlpHttp, 'v1/metrics', metricsPayload(res, [durationHistogram([{ attributes: anthropic, values: [1, 2, 1, 1, 1] }], { cumulativeSinceMs: since })]));
  await post(collector.otlpHttp, 'v1/metrics', metricsPayload(res, [
    durationHistogram([
      { attributes: { 'callscope.service.name': 'openai', 'callscope.service.category': 'llm', 'callscope.severity': 'warn' }, values: [0.3, 1.2] },
      { attributes: { 'callscope.service.name': 'aws.bedrock-runtime', 'callscope.service.category': 'llm', 'callscope.severity': 'error', 'error.type': '500' }, values: [0.05] },
    ]),
  ]));
});

after(() => procs.stopAll());

/** X-Ray segment documents of our trace, parsed. */
async function segments(expected) {
  return eventually(() => {
    const { Traces } = aws(moto.endpoint, 'xray', 'batch_get_traces', { TraceIds: [xrayTraceId(trace)] });
    const docs = (Traces ?? []).flatMap((t) => t.Segments).map((s) => JSON.parse(s.Document));
    return docs.length >= expected && docs;
  }, { what: 'X-Ray segments in moto', timeoutMs: 40_000 });
}

test('X-Ray holds one segment per span, under the X-Ray form of the trace id', async () => {
  const docs = await segments(4);
  assert.equal(docs.length, 4);
  for (const d of docs) assert.equal(d.trace_id, xrayTraceId(trace));
});

test('callscope attributes are X-Ray annotations (searchable), and flags follow the status', async () => {
  const docs = await segments(4);
  for (const c of calls) {
    const d = docs.find((x) => x.id === c.id);
    assert.ok(d, `segment for ${c.name}`);
    assert.deepEqual(
      // Keys keep their dots: the exporter.xray.allowDot gate is on by default since it went beta.
      { name: d.annotations?.['callscope.service.name'], category: d.annotations?.['callscope.service.category'], severity: d.annotations?.['callscope.severity'] },
      { name: c.service, category: c.category, severity: c.severity },
      `annotations of ${c.name}: ${JSON.stringify(d.annotations)}`,
    );
    const flags = { fault: !!d.fault, error: !!d.error, throttle: !!d.throttle };
    const want = c.status >= 500 ? { fault: true, error: false, throttle: false } : { fault: false, error: true, throttle: c.status === 429 };
    assert.deepEqual(flags, want, `flags of ${c.name} (${c.status})`);
  }
});

test('CloudWatch Logs holds the log records with their trace ids', async () => {
  const events = await eventually(() => {
    const r = aws(moto.endpoint, 'logs', 'get_log_events', { logGroupName: LOG_GROUP, logStreamName: LOG_STREAM, startFromHead: true });
    return r.events?.length >= 2 && r.events;
  }, { what: 'log events in moto', timeoutMs: 40_000 });
  const records = events.map((e) => JSON.parse(e.message));
  const err = records.find((r) => r.body === 'bedrock answered 500');
  assert.ok(err, JSON.stringify(records));
  assert.equal(err.severity_text, 'error');
  assert.equal(err.severity_number, 17);
  assert.equal(err.trace_id, trace);
  assert.equal(err.span_id, calls[0].id);
  assert.equal(records.find((r) => r.body === 'request done').trace_id, trace);
});

test('EMF records for callscope.external.duration land in CloudWatch Logs with the declared dimensions', async () => {
  const emf = await eventually(() => {
    const r = aws(moto.endpoint, 'logs', 'get_log_events', { logGroupName: EMF_GROUP, logStreamName: EMF_STREAM, startFromHead: true });
    return r.events?.length >= 1 && r.events.map((e) => JSON.parse(e.message));
  }, { what: 'EMF events in moto', timeoutMs: 40_000 });
  const withMetric = emf.filter((m) => m._aws?.CloudWatchMetrics?.some((d) => d.Metrics.some((x) => x.Name === 'callscope.external.duration')));
  assert.ok(withMetric.length >= 1, JSON.stringify(emf));
  const openai = withMetric.find((m) => m['callscope.service.name'] === 'openai');
  assert.ok(openai, JSON.stringify(withMetric));
  const decl = openai._aws.CloudWatchMetrics[0];
  assert.equal(decl.Namespace, 'callscope');
  const sorted = (dims) => dims.map((d) => [...d].sort()).sort();
  assert.deepEqual(sorted(decl.Dimensions), sorted([['callscope.service.name', 'callscope.service.category'], ['callscope.service.category', 'callscope.severity']]));
  // the statistic set of the histogram sent: 2 calls, 0.3 s + 1.2 s
  assert.equal(openai['callscope.external.duration'].Count, 2);
  assert.equal(openai['callscope.external.duration'].Sum, 1.5);
});

test('cumulative histograms (the SDK default) reach CloudWatch as deltas', async () => {
  const counts = await eventually(() => {
    const r = aws(moto.endpoint, 'logs', 'get_log_events', { logGroupName: EMF_GROUP, logStreamName: EMF_STREAM, startFromHead: true });
    const c = (r.events ?? []).map((e) => JSON.parse(e.message)).filter((m) => m['callscope.service.name'] === 'anthropic').map((m) => m['callscope.external.duration'].Count);
    return c.length >= 2 && c;
  }, { what: 'two EMF records for the cumulative series', timeoutMs: 40_000 });
  assert.deepEqual(counts, [2, 3]);
});
