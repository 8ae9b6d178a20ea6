// Cost of callscope's span processors per span: spans/s through the SDK pipeline
// (TracerProvider -> BatchSpanProcessor -> an exporter that serializes to OTLP
// protobuf and drops the bytes) with and without the external-call processors
// (classification, severity, call metrics, redaction) and the always-record
// sampler wrapper. Variants alternate within each round so machine noise hits
// them alike; we report medians. Target: at most 5% over the plain pipeline.
//
// Usage: node --import tsx bench/span-processors.bench.ts [rounds=21] [units=500]
// Writes bench/results/span-processors.md.

import { writeFileSync } from 'node:fs';
import { type Context, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, type ReadableSpan, type Sampler, type SpanExporter, type SpanProcessor,
  TraceIdRatioBasedSampler, TracerProvider,
} from '@opentelemetry/sdk-trace';
import { callSpanProcessors, recordEverything } from '../src/spans/pipeline.ts';
import { resolveSpansSettings } from '../src/spans/spans-config.ts';
import { Warnings } from '../src/env.ts';

const ROUNDS = Number(process.argv[2] ?? 21);
const UNITS = Number(process.argv[3] ?? 500);
const SPANS_PER_UNIT = 6;

let exportedBytes = 0;
// BENCH_SERIALIZE=0: drop spans unserialized, to separate processing cost from the cost of exporting more attributes.
const serialize = process.env.BENCH_SERIALIZE !== '0';
const exporter: SpanExporter = {
  export(spans: ReadableSpan[], done) {
    if (serialize) exportedBytes += ProtobufTraceSerializer.serializeRequest(spans)?.length ?? 0;
    done({ code: ExportResultCode.SUCCESS });
  },
  shutdown: async () => {},
};

class ManualReader extends MetricReader {
  protected override onShutdown = async () => {};
  protected override onForceFlush = async () => {};
}

interface Variant {
  name: string;
  /** Which of callSpanProcessors() to keep: 0 CallSpanProcessor, 1 RedactingSpanProcessor. */
  keep: number[];
}
const PLAIN: Variant = { name: 'plain SDK pipeline', keep: [] };
const VARIANTS: Variant[] = [
  PLAIN,
  { name: 'all callscope processors', keep: [0, 1] },
  { name: 'classification + severity + metrics only', keep: [0] },
  { name: 'redaction only', keep: [1] },
];

function pipeline(variant: Variant, sampler: Sampler): { name: string; tracer: Tracer; provider: TracerProvider } {
  const meterProvider = new MeterProvider({ readers: [new ManualReader()] });
  const batch = new BatchSpanProcessor({ exporter, maxQueueSize: UNITS * SPANS_PER_UNIT * 2, maxExportBatchSize: 512, scheduledDelayMillis: 60000 });
  const ours = callSpanProcessors(resolveSpansSettings({}, {}, new Warnings()), meterProvider).filter((_p, i) => variant.keep.includes(i));
  const processors: SpanProcessor[] = [...ours, batch];
  // The always-record wrapper comes with the call metrics (it exists for them).
  const provider = new TracerProvider({ sampler: variant.keep.includes(0) ? recordEverything(sampler) : sampler, spanProcessors: processors });
  return { name: variant.name, tracer: provider.getTracer('bench'), provider };
}

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

/** CPU time (user + system) per span: on a shared box, wall time mostly measures the neighbours. */
async function measure(p: ReturnType<typeof pipeline>): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < UNITS; i++) unit(p.tracer, i);
  await p.provider.forceFlush();
  const used = process.cpuUsage(started);
  return ((used.user + used.system) * 1000) / (UNITS * SPANS_PER_UNIT);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const scenarios = [
  { label: 'all sampled (parentbased_always_on)', sampler: () => new ParentBasedSampler({ root: new AlwaysOnSampler() }) },
  { label: '10% sampled (parentbased_traceidratio 0.1)', sampler: () => new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) }) },
];
const rows: string[] = [];
for (const scenario of scenarios) {
  const pipelines = VARIANTS.map((variant) => pipeline(variant, scenario.sampler()));
  for (const p of pipelines) await measure(p); // warm-up: JIT, caches
  const results = new Map<string, number[]>(pipelines.map((p) => [p.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of round % 2 === 0 ? pipelines : [...pipelines].reverse()) results.get(p.name)!.push(await measure(p));
  }
  const plainTimes = results.get(PLAIN.name)!;
  for (const p of pipelines) {
    const times = results.get(p.name)!;
    const perSpan = median(times);
    // Paired per round (the variants ran back to back), so load swings on a shared box cancel out.
    const overhead = (median(times.map((t, r) => t / plainTimes[r]!)) - 1) * 100;
    const cost = p.name === PLAIN.name ? '—' : `${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)}%`;
    rows.push(`| ${scenario.label} | ${p.name} | ${perSpan.toFixed(0)} ns | ${Math.round(1e9 / perSpan).toLocaleString('en-US')} | ${cost} |`);
    console.log(rows.at(-1));
  }
  for (const p of pipelines) await p.provider.shutdown();
}

const report = `# Span processor cost

\`node --import tsx bench/span-processors.bench.ts ${ROUNDS} ${UNITS}\` on ${process.version}, ${new Date().toISOString().slice(0, 10)}.
Each unit is one realistic request: a server span, an OpenAI chat call with its fetch, an S3 GetObject with its
http request (every 10th with a presigned signature in the URL, every 50th a 404), and an internal span: ${SPANS_PER_UNIT} spans.
Per span (process CPU time, not wall time): start, attributes, end, BatchSpanProcessor, OTLP protobuf serialization (bytes dropped). ${UNITS} units per
measurement, ${ROUNDS} rounds alternating the variants; per-span medians reported, overhead = median of the per-round ratios.
${serialize ? '' : 'BENCH_SERIALIZE=0: spans are dropped unserialized (processing cost only). '}"all callscope processors" adds the
always-record sampler wrapper, classification + severity + callscope.external.duration (CallSpanProcessor) and
redaction (RedactingSpanProcessor).

| sampling | pipeline | per span | spans/s | over plain |
|---|---|---|---|---|
${rows.join('\n')}

With 10% sampling the plain pipeline makes non-recording spans for 90% of traces (almost free); callscope records
them (not exported) so that call metrics count every call. That is the price of exact call counts under sampling.
`;
writeFileSync(new URL(`./results/span-processors${serialize ? '' : '-no-serialize'}.md`, import.meta.url), report);
console.log(`bytes exported: ${exportedBytes}`);
