// The whole path a user gets: `node --import callscope/register app.mjs` -> our collector -> Jaeger,
// and the same app -> our collector with collector/aws.yaml -> the AWS endpoint (moto).
// Needs the built package (dist/, `npm run build`). Assertions about features still being written in
// src/ are marked todo until their source file exists, then they count like any other.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Procs, eventually } from './lib/procs.mjs';
import { AWS_ENV, aws, jaegerTraces, repoPath, startCollector, startJaeger, startMoto, startRegisteredApp, tagsOf } from './lib/stack.mjs';

const built = fs.existsSync(repoPath('dist/register.js'));
const skip = built ? false : 'dist/register.js missing: run `npm run build` first';
// A feature counts as landed once another source file imports its module (a file that exists but is
// not wired in yet does not make the app behave differently); until then its assertions are todo.
function pending(file, what) {
  const base = file.split('/').pop().replace(/\.ts$/, '');
  const importers = fs.existsSync(repoPath(file))
    ? fs.readdirSync(repoPath('src'), { recursive: true })
        .filter((f) => f.endsWith('.ts') && `src/${f}` !== file)
        .filter((f) => fs.readFileSync(repoPath(`src/${f}`), 'utf8').includes(`/${base}.js'`))
    : [];
  return importers.length ? false : `${what} not wired into the SDK yet (${file})`;
}
const TODO_CLASSIFY = pending('src/spans/classify.ts', 'classification');
const TODO_LOGS = pending('src/logs/console-bridge.ts', 'console bridge');
const TODO_METRICS = pending('src/spans/call-metrics.ts', 'external-call metrics');

/** Upstreams the app calls: an OpenAI stand-in that fails, a payments API that throttles. */
async function startUpstreams() {
  const servers = [];
  const listen = async (handler) => {
    const s = createServer(handler);
    await new Promise((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
    return s.address().port;
  };
  const openai = await listen((req, res) => {
    req.resume();
    res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"type":"server_error"}}');
  });
  const payments = await listen((req, res) => {
    req.resume();
    res.writeHead(req.url === '/v1/charges' ? 429 : 200).end();
  });
  return { openai, payments, close: () => servers.forEach((s) => s.close()) };
}

/** Runs the fixture app against a collector, makes one request per route, then SIGTERMs it. */
async function runApp(procs, name, collector, upstreams) {
  const port = await startRegisteredApp(procs, name, 'test/e2e/fixtures/app.mjs', {
    OTEL_SERVICE_NAME: 'e2e-node-app',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttp,
    OPENAI_BASE_URL: `http://127.0.0.1:${upstreams.openai}`,
    PAYMENTS_URL: `http://127.0.0.1:${upstreams.payments}`,
    // the upstreams are on loopback; these rules give them the identities real ones would have
    CALLSCOPE_SERVICES: `127.0.0.1:${upstreams.openai}=openai:llm,127.0.0.1:${upstreams.payments}=stripe:http`,
  });
  for (const route of ['/chat', '/pay', '/ok']) await (await fetch(`http://127.0.0.1:${port}${route}`)).text();
  await procs.stop(name, 15_000); // SIGTERM: callscope flushes before the process ends
}

const statusOf = (tags) => tags['http.response.status_code'] ?? tags['http.status_code'];

describe('node app -> collector -> Jaeger', { skip }, () => {
  const procs = new Procs('node-local');
  let jaeger;
  let upstreams;
  before(async () => {
    upstreams = await startUpstreams();
    jaeger = await startJaeger(procs);
    const collector = await startCollector(procs, { env: { CALLSCOPE_JAEGER_ENDPOINT: jaeger.otlpGrpc } });
    await runApp(procs, 'app-local', collector, upstreams);
  });
  after(async () => {
    await procs.stopAll();
    upstreams?.close();
  });

  const clientSpans = async () => {
    const traces = await eventually(async () => {
      const d = await jaegerTraces(jaeger.queryUrl, 'e2e-node-app');
      return d.length >= 3 && d;
    }, { what: '3 traces of e2e-node-app in Jaeger' });
    return traces.flatMap((t) => t.spans.filter((s) => tagsOf(s)['span.kind'] === 'client').map((s) => ({ trace: t, span: s, tags: tagsOf(s) })));
  };

  test('each request is a trace in Jaeger with its outbound call and status', async () => {
    const statuses = (await clientSpans()).map((c) => statusOf(c.tags)).sort();
    assert.deepEqual(statuses, [200, 429, 500]);
  });

  test('outbound spans are classified and findable by category and severity', { todo: TODO_CLASSIFY }, async () => {
    const byStatus = Object.fromEntries((await clientSpans()).map((c) => [statusOf(c.tags), c]));
    assert.equal(byStatus[500].tags['callscope.service.name'], 'openai');
    assert.equal(byStatus[500].tags['callscope.service.category'], 'llm');
    assert.equal(byStatus[500].tags['callscope.severity'], 'error');
    assert.equal(byStatus[429].tags['callscope.severity'], 'warn');
    const found = await jaegerTraces(jaeger.queryUrl, 'e2e-node-app', { 'callscope.service.category': 'llm', 'callscope.severity': 'error' });
    assert.deepEqual(found.map((t) => t.traceID), [byStatus[500].trace.traceID]);
  });

  test('no secret leaves the app: the Authorization header value is nowhere in Jaeger', async () => {
    const traces = await jaegerTraces(jaeger.queryUrl, 'e2e-node-app');
    assert.doesNotMatch(JSON.stringify(traces), /sk-e2e-not-a-real-key/);
  });
});

describe('node app -> collector (aws.yaml) -> X-Ray and CloudWatch Logs', { skip }, () => {
  const procs = new Procs('node-aws');
  let moto;
  let upstreams;
  before(async () => {
    upstreams = await startUpstreams();
    moto = await startMoto(procs);
    const collector = await startCollector(procs, {
      configs: ['otel-collector.yaml', 'collector/aws.yaml'],
      env: {
        ...AWS_ENV, CALLSCOPE_AWS_ENDPOINT: moto.endpoint,
        CALLSCOPE_CW_LOG_GROUP: '/e2e/node', CALLSCOPE_CW_LOG_STREAM: 'app',
        CALLSCOPE_EMF_LOG_GROUP: '/e2e/node-metrics', CALLSCOPE_EMF_LOG_STREAM: 'app',
      },
    });
    await runApp(procs, 'app-aws', collector, upstreams);
  });
  after(async () => {
    await procs.stopAll();
    upstreams?.close();
  });

  const segmentDocs = () =>
    eventually(() => {
      const now = Date.now() / 1000;
      const { TraceSummaries } = aws(moto.endpoint, 'xray', 'get_trace_summaries', { StartTime: now - 600, EndTime: now + 60 });
      if (!TraceSummaries?.length) return false;
      const { Traces } = aws(moto.endpoint, 'xray', 'batch_get_traces', { TraceIds: TraceSummaries.map((t) => t.Id) });
      const docs = Traces.flatMap((t) => t.Segments.map((s) => JSON.parse(s.Document)));
      return docs.filter((d) => d.http?.response?.status !== undefined).length >= 6 && docs; // 3 server + 3 client
    }, { what: 'X-Ray segments of the node app', timeoutMs: 40_000 });

  test("X-Ray accepts the app's trace ids and flags the failed calls (500 fault, 429 throttle)", async () => {
    const docs = await segmentDocs();
    const client = (status) => docs.find((d) => d.http?.response?.status === status && d.namespace === 'remote');
    assert.ok(client(500)?.fault, JSON.stringify(client(500)));
    assert.ok(client(429)?.throttle, JSON.stringify(client(429)));
    for (const d of docs) assert.match(d.trace_id, /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  test('X-Ray annotations carry the callscope attributes', { todo: TODO_CLASSIFY }, async () => {
    const docs = await segmentDocs();
    const failed = docs.find((d) => d.http?.response?.status === 500 && d.namespace === 'remote');
    assert.equal(failed.annotations['callscope.service.name'], 'openai');
    assert.equal(failed.annotations['callscope.severity'], 'error');
  });

  test('CloudWatch Logs holds console.error with the trace id of its request', { todo: TODO_LOGS }, async () => {
    const events = await eventually(() => aws(moto.endpoint, 'logs', 'get_log_events', { logGroupName: '/e2e/node', logStreamName: 'app', startFromHead: true }).events?.length && true, { what: 'log events', timeoutMs: TODO_LOGS ? 5_000 : 40_000 })
      .then(() => aws(moto.endpoint, 'logs', 'get_log_events', { logGroupName: '/e2e/node', logStreamName: 'app', startFromHead: true }).events);
    const rec = events.map((e) => JSON.parse(e.message)).find((r) => String(r.body).includes('chat failed'));
    assert.ok(rec, 'console.error record');
    assert.equal(rec.severity_number, 17); // design.md: error -> 17
    assert.equal(rec.severity_text.toLowerCase(), 'error');
    assert.match(rec.trace_id, /^[0-9a-f]{32}$/);
  });

  test('CloudWatch (EMF) holds callscope.external.duration for each external service called', { todo: TODO_METRICS }, async () => {
    // The SDK may export a series more than once (periodic, then on shutdown); as deltas they add up.
    const sum = (records) => {
      const calls = {};
      for (const m of records) calls[m['callscope.service.name']] = (calls[m['callscope.service.name']] ?? 0) + m['callscope.external.duration'].Count;
      return calls;
    };
    let records = [];
    await eventually(() => {
      const r = aws(moto.endpoint, 'logs', 'get_log_events', { logGroupName: '/e2e/node-metrics', logStreamName: 'app', startFromHead: true });
      records = (r.events ?? []).map((e) => JSON.parse(e.message)).filter((m) => m['callscope.external.duration']);
      const calls = sum(records);
      return calls.openai >= 1 && calls.stripe >= 2;
    }, { what: 'EMF records of the node app', timeoutMs: TODO_METRICS ? 5_000 : 40_000 }).catch(() => {});
    const calls = sum(records);
    assert.equal(calls.openai, 1, JSON.stringify(records)); // one call to the LLM
    assert.equal(calls.stripe, 2, JSON.stringify(records)); // /pay and /ok
    assert.ok(records.filter((m) => m['callscope.service.name'] === 'openai').every((m) => m['callscope.service.category'] === 'llm'));
  });
});
