// Cost of callscope's span processors per span: spans/s through the SDK pipeline
// (TracerProvider -> BatchSpanProcessor -> an exporter that serializes to OTLP
// protobuf and drops the bytes) with and without the external-call processors
// (classification, severity, call metrics, redaction) and the record-outbound
// sampler wrapper. Target (issue 3): at most 5% over the plain pipeline.
//
// Each variant runs in a process of its own (a shared process lets one variant's
// span shapes and garbage slow the next one down: the first version of this
// bench swung by ±30% between runs), warms up, then measures main-thread CPU per
// span over several batches (a forced GC before each made it noisier, not
// steadier). Rounds alternate the variants; overhead = median of the per-round
// ratios to the plain pipeline.
//
// Usage: node --import tsx bench/span-processors.bench.ts [rounds=7] [units=1000]
//        BENCH_SERIALIZE=0 drops spans unserialized (processing cost only).
// Writes bench/results/span-processors.md (or span-processors-no-serialize.md).

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Context, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  AlwaysOnSampler, BatchSpanProcessor, NoopSpanProcessor, ParentBasedSampler, type ReadableSpan, type Sampler, type Span, type SpanExporter, type SpanProcessor,
  TraceIdRatioBasedSampler, TracerProvider,
} from '@opentelemetry/sdk-trace';
import { CallMetrics } from '../src/spans/call-metrics.ts';
import { CallSpanProcessor } from '../src/spans/call-processor.ts';
import { Classifier } from '../src/spans/classify.ts';
import { callSpanProcessors, recordOutbound } from '../src/spans/pipeline.ts';
import { resolveSpansSettings } from '../src/spans/spans-config.ts';
import { Warnings } from '../src/env.ts';

const SPANS_PER_UNIT = 6;
const BATCHES = 9;
// Warm-up batches: the JIT settles late (until then one run of a variant can be 1.5x another).
const WARMUP = 10;
// BENCH_SERIALIZE=0: drop spans unserialized, to separate processing cost from the cost of exporting more attributes.
const serialize = process.env.BENCH_SERIALIZE !== '0';

interface Variant {
  name: string;
  processors: () => SpanProcessor[];
}
const settings = resolveSpansSettings({}, {}, new Warnings());
const VARIANTS: Variant[] = [
  { name: 'plain SDK pipeline', processors: () => [] },
  { name: 'callscope processing (as register sets it up)', processors: () => callSpanProcessors(settings, new CallMetrics()) },
  { name: 'callscope processing without redaction', processors: () => [new CallSpanProcessor(new Classifier(settings.rules), new CallMetrics(), settings.slowMs, undefined)] },
  // The floor for any implementation of issue 3 on the SDK's API: only the attribute
  // writes it requires, with constant values (no classification, metric or redaction).
  { name: 'floor: the required attribute writes only', processors: () => [new RequiredAttributesOnly()] },
];

class RequiredAttributesOnly extends NoopSpanProcessor {
  onEnding(span: Span): void {
    span.setAttribute('callscope.severity', 'info');
    if (span.kind !== SpanKind.CLIENT && span.kind !== SpanKind.PRODUCER) return;
    span.setAttribute('callscope.service.name', 'openai');
    span.setAttribute('callscope.service.category', 'llm');
    span.setAttribute('server.service.name', 'openai');
    span.setAttribute('peer.service', 'openai');
  }
}
const SCENARIOS = [
  { label: 'all sampled (parentbased_always_on)', sampler: (): Sampler => new ParentBasedSampler({ root: new AlwaysOnSampler() }) },
  { label: '10% sampled (parentbased_traceidratio 0.1)', sampler: (): Sampler => new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) }) },
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** One "request" of a realistic server: a server span, an OpenAI call (with its fetch), an S3 call (with its http request), an internal span. */
function unit(tracer: Tracer, i: number): void {
  const server = tracer.startSpan('GET /orders/:id', {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'GET', 'url.path': `/orders/${i}`, 'url.scheme': 'http', 'http.route': '/orders/:id', 'server.address': 'shop.local', 'server.port': 8080, 'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64)', 'client.address': '10.0.0.7' },
  }, ROOT_CONTEXT);
  const inServer: Context = trace.setSpan(ROOT_CONTEXT, server);
  const llm = tracer.startSpan('chat gpt-4o-mini', { kind: SpanKind.CLIENT, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.system': 'openai', 'server.address': 'api.openai.com', 'server.port': 443 } }, inServer);
  const fetchSpan = tracer.startSpan('POST', {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': 'POST', 'url.full': 'https://api.openai.com/v1/chat/completions', 'url.path': '/v1/chat/completions', 'url.query': '', 'url.scheme': 'https',
      'server.address': 'api.openai.com', 'server.port': 443, 'user_agent.original': 'OpenAI/JS 6.49.0', 'network.peer.address': '162.159.140.245', 'network.peer.port': 443,
    },
  }, trace.setSpan(inServer, llm));
  fetchSpan.setAttribute('http.response.status_code', 200);
  fetchSpan.end();
  llm.setAttributes({ 'gen_ai.response.id': 'chatcmpl-1', 'gen_ai.response.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 40 });
  llm.end();
  const s3 = tracer.startSpan('S3.GetObject', { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'aws-api', 'rpc.method': 'GetObject', 'rpc.service': 'S3', 'aws.s3.bucket': 'assets', 'cloud.region': 'us-east-1' } }, inServer);
  const query = i % 10 === 0 ? `?x-id=GetObject&X-Amz-Signature=${'ab'.repeat(32)}` : '?x-id=GetObject';
  const http = tracer.startSpan('GET', {
    kind: SpanKind.CLIENT,
    attributes: { 'http.request.method': 'GET', 'server.address': 'assets.s3.us-east-1.amazonaws.com', 'server.port': 443, 'url.full': `https://assets.s3.us-east-1.amazonaws.com/orders/${i}.json${query}`, 'user_agent.original': 'aws-sdk-js/3.1172.0 ua/2.1 os/linux lang/js md/nodejs#24.21.0 api/s3#3.1172.0' },
  }, trace.setSpan(inServer, s3));
  http.setAttribute('http.response.status_code', i % 50 === 0 ? 404 : 200);
  if (i % 50 === 0) http.setStatus({ code: SpanStatusCode.ERROR });
  http.end();
  s3.setAttribute('http.response.status_code', i % 50 === 0 ? 404 : 200);
  s3.end();
  tracer.startSpan('render order', { attributes: { 'app.order.id': i } }, inServer).end();
  server.setAttribute('http.response.status_code', 200);
  server.end();
}

/** In a child process: one variant, one scenario; prints the median main-thread CPU ns per span. */
async function child(variant: Variant, sampler: Sampler, units: number): Promise<void> {
  const exporter: SpanExporter = {
    export(spans: ReadableSpan[], done) {
      if (serialize) ProtobufTraceSerializer.serializeRequest(spans);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => {},
  };
  const batch = new BatchSpanProcessor({ exporter, maxQueueSize: units * SPANS_PER_UNIT * 2, maxExportBatchSize: 512, scheduledDelayMillis: 60000 });
  const ours = variant.processors();
  // The record-outbound sampler wrapper comes with the call metrics (it exists for them).
  const provider = new TracerProvider({ sampler: ours.length > 0 ? recordOutbound(sampler) : sampler, spanProcessors: [...ours, batch] });
  const tracer = provider.getTracer('bench');
  const times: number[] = [];
  for (let batchNo = -WARMUP; batchNo < BATCHES; batchNo++) {
    const started = process.threadCpuUsage();
    for (let i = 0; i < units; i++) unit(tracer, i);
    await provider.forceFlush();
    const used = process.threadCpuUsage(started);
    if (batchNo >= 0) times.push(((used.user + used.system) * 1000) / (units * SPANS_PER_UNIT)); // the first WARMUP batches warm up the JIT
  }
  process.stdout.write(JSON.stringify(median(times)));
}

async function main(rounds: number, units: number): Promise<void> {
  const rows: string[] = [];
  for (const [s, scenario] of SCENARIOS.entries()) {
    const results = VARIANTS.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++) {
      const order = VARIANTS.map((_v, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const v of order) {
        const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(v), String(s), String(units)], { encoding: 'utf8', env: process.env });
        if (run.status !== 0) throw new Error(`variant ${VARIANTS[v]!.name} failed: ${run.stderr}`);
        results[v]!.push(Number(run.stdout));
      }
    }
    const plain = results[0]!;
    for (const [v, variant] of VARIANTS.entries()) {
      const times = results[v]!;
      const perSpan = median(times);
      const overhead = (median(times.map((t, r) => t / plain[r]!)) - 1) * 100;
      const cost = v === 0 ? '—' : `${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)}%`;
      rows.push(`| ${scenario.label} | ${variant.name} | ${perSpan.toFixed(0)} ns | ${Math.round(1e9 / perSpan).toLocaleString('en-US')} | ${cost} |`);
      console.log(rows.at(-1));
    }
  }
  const report = `# Span processor cost${serialize ? '' : ' (processing only, no serialization)'}

\`${serialize ? '' : 'BENCH_SERIALIZE=0 '}node --import tsx bench/span-processors.bench.ts ${rounds} ${units}\` on ${process.version}, ${new Date().toISOString().slice(0, 10)}.
Each unit is one realistic request: a server span, an OpenAI chat call with its fetch, an S3 GetObject with its
http request (every 10th with a presigned signature in the URL, every 50th a 404), and an internal span: ${SPANS_PER_UNIT} spans.
Per span: main-thread CPU time for start, attributes, end, BatchSpanProcessor${serialize ? ' and OTLP protobuf serialization (bytes dropped)' : ' (spans dropped unserialized)'}.
Each variant runs in its own process: ${WARMUP} warm-up batches, then the median of ${BATCHES} batches of ${units} units;
${rounds} rounds alternating the variants; per-span medians reported, overhead = median of the per-round ratios.
"callscope processing" adds the record-outbound sampler wrapper and the CallSpanProcessor: classification, severity,
callscope.external.duration and redaction.

| sampling | pipeline | per span | spans/s | over plain |
|---|---|---|---|---|
${rows.join('\n')}
`;
  writeFileSync(new URL(`./results/span-processors${serialize ? '' : '-no-serialize'}.md`, import.meta.url), report);
}

if (process.argv[2] === '--child') {
  await child(VARIANTS[Number(process.argv[3])]!, SCENARIOS[Number(process.argv[4])]!.sampler(), Number(process.argv[5]));
} else {
  await main(Number(process.argv[2] ?? 7), Number(process.argv[3] ?? 1000));
}
