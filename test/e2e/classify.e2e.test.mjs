// Item 5 of the pipeline issue: spans from services in other languages (shaped like Python's
// opentelemetry-instrument output: no callscope.* attributes) get service, category and severity in
// the collector, from OTTL generated out of the same table the Node SDK uses. Proven by sending such
// spans through the real collector to Jaeger and comparing with what the Node SDK's own code decides.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { SpanKind, StatusCode, post, resource, span, spanId, traceId, tracesPayload } from './lib/otlp.mjs';
import { Procs, eventually } from './lib/procs.mjs';
import { jaegerTrace, jaegerTraces, repoPath, startCollector, startJaeger, tagsOf } from './lib/stack.mjs';

const SERVICE = 'python-billing'; // the pretend Python service
const { CLIENT, SERVER, PRODUCER, INTERNAL } = SpanKind;
const { ERROR, UNSET } = StatusCode;
// [name, kind, status, durationMs, attributes]
const CASES = [
  ['openai chat 500', CLIENT, ERROR, 80, { 'gen_ai.system': 'openai', 'server.address': 'api.openai.com', 'http.response.status_code': 500 }],
  ['openai embeddings', CLIENT, UNSET, 80, { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'embeddings', 'server.address': 'api.openai.com', 'http.response.status_code': 200 }],
  ['bedrock titan embed', CLIENT, UNSET, 80, { 'rpc.system': 'aws-api', 'rpc.service': 'BedrockRuntime', 'gen_ai.request.model': 'amazon.titan-embed-text-v2:0' }],
  ['bedrock converse', CLIENT, UNSET, 80, { 'rpc.system': 'aws-api', 'rpc.service': 'BedrockRuntime', 'gen_ai.request.model': 'anthropic.claude-3-haiku' }],
  ['s3 503', CLIENT, ERROR, 80, { 'rpc.system': 'aws-api', 'rpc.service': 'S3', 'http.response.status_code': 503 }],
  ['aws not in table', CLIENT, UNSET, 80, { 'rpc.system': 'aws-api', 'rpc.service': 'CloudWatchLogs' }],
  ['postgres slow', CLIENT, UNSET, 1500, { 'db.system.name': 'postgresql', 'server.address': 'db.internal' }],
  ['redis', CLIENT, UNSET, 5, { 'db.system': 'redis', 'net.peer.name': 'cache.local' }],
  ['kafka producer', PRODUCER, UNSET, 10, { 'messaging.system': 'kafka' }],
  ['stripe 429', CLIENT, ERROR, 90, { 'url.full': 'https://api.stripe.com/v1/charges', 'http.response.status_code': 429 }],
  ['pinecone by url', CLIENT, UNSET, 90, { 'url.full': 'https://idx-1.svc.pinecone.io/query', 'http.response.status_code': 200 }],
  ['bedrock by host', CLIENT, UNSET, 90, { 'url.full': 'https://bedrock-runtime.us-east-1.amazonaws.com/model/x/invoke', 'http.response.status_code': 200 }],
  ['unknown aws host', CLIENT, UNSET, 90, { 'url.full': 'https://ssm.us-east-1.amazonaws.com/', 'http.response.status_code': 200 }],
  ['private address', CLIENT, UNSET, 20, { 'server.address': '10.1.2.3', 'server.port': 8080, 'http.response.status_code': 200 }],
  ['unknown api slow', CLIENT, UNSET, 4000, { 'server.address': 'api.example.com', 'server.port': 443, 'http.response.status_code': 200 }],
  ['unknown api port', CLIENT, UNSET, 20, { 'url.full': 'http://api.example.com:8443/x', 'http.status_code': 200 }],
  ['old conventions 503', CLIENT, ERROR, 20, { 'http.url': 'https://legacy.example.org/a', 'net.peer.name': 'legacy.example.org', 'http.status_code': 503 }],
  ['websocket', CLIENT, UNSET, 20, { 'url.full': 'wss://stream.example.com/ws' }],
  ['server 500', SERVER, ERROR, 20, { 'http.response.status_code': 500, 'http.route': '/a' }],
  ['server 429', SERVER, UNSET, 20, { 'http.response.status_code': 429, 'http.route': '/b' }],
  ['server 404', SERVER, UNSET, 20, { 'http.response.status_code': 404, 'http.route': '/c' }],
  ['internal failed', INTERNAL, ERROR, 20, { 'code.function.name': 'work' }],
];

// The table and the Node classifier are the SDK's (src/spans); without them there is nothing to compare.
const skip = fs.existsSync(repoPath('src/spans/rules.ts')) ? false : 'src/spans/rules.ts not there yet';
const procs = new Procs('classify');
let jaeger;
const trace = traceId();
const ids = CASES.map(() => spanId());

before(async () => {
  if (skip) return;
  jaeger = await startJaeger(procs);
  const collector = await startCollector(procs, { env: { CALLSCOPE_JAEGER_ENDPOINT: jaeger.otlpGrpc } });
  const root = spanId();
  const spans = [span({ trace, id: root, name: 'job', kind: INTERNAL, durationMs: 5000 })];
  CASES.forEach(([name, kind, status, durationMs, attributes], i) => spans.push(span({ trace, id: ids[i], parent: root, name, kind, status, durationMs, attributes })));
  await post(collector.otlpHttp, 'v1/traces', tracesPayload(resource(SERVICE, { 'telemetry.sdk.language': 'python' }), spans, 'opentelemetry.instrumentation.requests'));
});

after(() => procs.stopAll());

test('the generated OTTL in otel-collector.yaml matches src/spans/rules.ts (regenerate: node collector/generate-classify.mjs)', { skip }, () => {
  const r = spawnSync(process.execPath, [repoPath('collector/generate-classify.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr || r.stdout);
});

test('the collector classifies foreign spans exactly as the Node SDK would', { skip }, async () => {
  const t = await eventually(() => jaegerTrace(jaeger.queryUrl, trace).then((x) => x?.spans.length === CASES.length + 1 && x), { what: 'the python trace in Jaeger' });
  const node = spawnSync(process.execPath, ['--import', 'tsx', repoPath('test/e2e/lib/node-classify.ts')], {
    cwd: repoPath('.'),
    input: JSON.stringify(CASES.map(([, kind, status, durationMs, attributes]) => ({ kind, status, durationMs, attributes }))),
    encoding: 'utf8',
  });
  assert.equal(node.status, 0, node.stderr);
  const expected = JSON.parse(node.stdout);
  const mismatches = [];
  CASES.forEach(([name], i) => {
    const tags = tagsOf(t.spans.find((s) => s.spanID === ids[i]));
    const got = { service: tags['callscope.service.name'], category: tags['callscope.service.category'], severity: tags['callscope.severity'] };
    const want = { service: expected[i].service, category: expected[i].category, severity: expected[i].severity };
    if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${name}: collector ${JSON.stringify(got)} != node ${JSON.stringify(want)}`);
    if (want.service) assert.equal(tags['peer.service'], want.service, `${name}: peer.service`);
  });
  assert.deepEqual(mismatches, []);
});

test('so Jaeger finds the Python spans by category and severity like Node ones', { skip }, async () => {
  const llm = await jaegerTraces(jaeger.queryUrl, SERVICE, { 'callscope.service.category': 'llm', 'callscope.severity': 'error' });
  assert.deepEqual(llm.map((x) => x.traceID), [trace]);
  const t = await jaegerTrace(jaeger.queryUrl, trace);
  const openai = tagsOf(t.spans.find((s) => s.spanID === ids[0]));
  assert.deepEqual([openai['callscope.service.name'], openai['callscope.service.category'], openai['callscope.severity']], ['openai', 'llm', 'error']);
});
