// A test OTLP/HTTP receiver: accepts /v1/traces, /v1/metrics and /v1/logs in
// protobuf or JSON (optionally gzip), decodes them into plain objects, and lets
// tests wait for what they expect. Binds 127.0.0.1 on a free port.

import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { LoopbackServer } from './loopback-server.ts';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

const root = protobuf.loadSync(new URL('./otlp.proto', import.meta.url).pathname);
const REQUEST_TYPES = {
  traces: root.lookupType('otlp.ExportTraceServiceRequest'),
  metrics: root.lookupType('otlp.ExportMetricsServiceRequest'),
  logs: root.lookupType('otlp.ExportLogsServiceRequest'),
} as const;

export type Attributes = Record<string, unknown>;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer */
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Attributes;
  events: { name: string; attributes: Attributes }[];
  links: { traceId: string; spanId: string; attributes: Attributes }[];
  status: { code: number; message: string };
  resource: Attributes;
  scope: string;
}

export interface ReceivedDataPoint {
  attributes: Attributes;
  value?: number;
  count?: number;
  sum?: number;
}

export interface ReceivedMetric {
  name: string;
  unit: string;
  type: 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram';
  /** Sums and histograms only. */
  temporality: 'delta' | 'cumulative' | undefined;
  points: ReceivedDataPoint[];
  resource: Attributes;
  scope: string;
}

export interface ReceivedLog {
  severityNumber: number;
  severityText: string;
  body: unknown;
  attributes: Attributes;
  traceId: string;
  spanId: string;
  resource: Attributes;
  scope: string;
}

export interface ReceivedRequest {
  path: string;
  contentType: string;
  headers: IncomingHttpHeaders;
}

export type Signal = keyof typeof REQUEST_TYPES;

export class OtlpReceiver extends LoopbackServer {
  readonly spans: ReceivedSpan[] = [];
  readonly metrics: ReceivedMetric[] = [];
  readonly logs: ReceivedLog[] = [];
  readonly requests: ReceivedRequest[] = [];
  /** Answer with this HTTP status instead of 200 (to simulate a failing collector). */
  failWith: number | undefined;
  private readonly waiters = new Set<() => void>();

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const signal = path.replace(/^\/v1\//, '') as Signal;
      const contentType = String(req.headers['content-type'] ?? '');
      this.requests.push({ path, contentType, headers: req.headers });
      if (this.failWith !== undefined) {
        res.writeHead(this.failWith).end();
        return;
      }
      if (!(signal in REQUEST_TYPES)) {
        res.writeHead(404).end();
        return;
      }
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const message = contentType.includes('json') ? JSON.parse(body.toString('utf8')) : decodeProtobuf(signal, body);
        this.collect(signal, message);
        res.writeHead(200, { 'content-type': contentType.includes('json') ? 'application/json' : 'application/x-protobuf' });
        res.end(contentType.includes('json') ? '{}' : undefined);
      } catch (error) {
        res.writeHead(400).end(String(error));
      }
      for (const wake of this.waiters) wake();
    });
  }




  /** Resolves once `predicate` holds for what has arrived; rejects after `timeoutMs`. */
  async waitFor(predicate: (receiver: this) => boolean, timeoutMs = 10000, what = 'telemetry'): Promise<void> {
    if (predicate(this)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; have ${this.spans.length} spans, ${this.metrics.length} metrics, ${this.logs.length} logs`));
      }, timeoutMs);
      const check = () => {
        if (!predicate(this)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  private collect(signal: Signal, message: Record<string, any>): void {
    if (signal === 'traces') {
      for (const rs of message.resourceSpans ?? []) {
        const resource = attributes(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) this.spans.push(toSpan(span, resource, ss.scope?.name ?? ''));
      }
    } else if (signal === 'metrics') {
      for (const rm of message.resourceMetrics ?? []) {
        const resource = attributes(rm.resource?.attributes);
        for (const sm of rm.scopeMetrics ?? []) for (const metric of sm.metrics ?? []) this.metrics.push(toMetric(metric, resource, sm.scope?.name ?? ''));
      }
    } else {
      for (const rl of message.resourceLogs ?? []) {
        const resource = attributes(rl.resource?.attributes);
        for (const sl of rl.scopeLogs ?? []) for (const log of sl.logRecords ?? []) this.logs.push(toLog(log, resource, sl.scope?.name ?? ''));
      }
    }
  }
}

function decodeProtobuf(signal: Signal, body: Buffer): Record<string, any> {
  const type = REQUEST_TYPES[signal];
  // Ids come out as base64 here and as hex in OTLP/JSON; `id()` below evens that out.
  return type.toObject(type.decode(body), { longs: String, enums: Number, bytes: String }) as Record<string, any>;
}

/** OTLP/JSON writes ids as hex; protobufjs gives base64 of the bytes. */
function id(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  if (/^[0-9a-f]+$/i.test(value) && (value.length === 16 || value.length === 32)) return value.toLowerCase();
  return Buffer.from(value, 'base64').toString('hex');
}

function anyValue(value: Record<string, any> | undefined): unknown {
  if (!value) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('arrayValue' in value) return (value.arrayValue?.values ?? []).map(anyValue);
  if ('kvlistValue' in value) return attributes(value.kvlistValue?.values);
  if ('bytesValue' in value) return value.bytesValue;
  return undefined;
}

function attributes(list: { key: string; value?: Record<string, any> }[] | undefined): Attributes {
  const result: Attributes = {};
  for (const { key, value } of list ?? []) result[key] = anyValue(value);
  return result;
}

function toSpan(span: Record<string, any>, resource: Attributes, scope: string): ReceivedSpan {
  return {
    traceId: id(span.traceId),
    spanId: id(span.spanId),
    parentSpanId: id(span.parentSpanId),
    name: span.name,
    kind: Number(span.kind ?? 0),
    startNs: BigInt(span.startTimeUnixNano ?? 0),
    endNs: BigInt(span.endTimeUnixNano ?? 0),
    attributes: attributes(span.attributes),
    events: (span.events ?? []).map((e: Record<string, any>) => ({ name: e.name, attributes: attributes(e.attributes) })),
    links: (span.links ?? []).map((l: Record<string, any>) => ({ traceId: id(l.traceId), spanId: id(l.spanId), attributes: attributes(l.attributes) })),
    status: { code: Number(span.status?.code ?? 0), message: span.status?.message ?? '' },
    resource,
    scope,
  };
}

function toMetric(metric: Record<string, any>, resource: Attributes, scope: string): ReceivedMetric {
  const type = (['gauge', 'sum', 'histogram', 'exponentialHistogram'] as const).find((key) => key in metric) ?? 'gauge';
  const points = (metric[type]?.dataPoints ?? []).map((p: Record<string, any>) => ({
    attributes: attributes(p.attributes),
    value: p.asDouble !== undefined ? Number(p.asDouble) : p.asInt !== undefined ? Number(p.asInt) : undefined,
    count: p.count !== undefined ? Number(p.count) : undefined,
    sum: p.sum !== undefined ? Number(p.sum) : undefined,
  }));
  const raw = metric[type]?.aggregationTemporality; // 1 / 2, or the enum's name
  const temporality = raw === 1 || raw === 'AGGREGATION_TEMPORALITY_DELTA' ? 'delta' : raw === 2 || raw === 'AGGREGATION_TEMPORALITY_CUMULATIVE' ? 'cumulative' : undefined;
  return { name: metric.name, unit: metric.unit ?? '', type, temporality, points, resource, scope };
}

function toLog(log: Record<string, any>, resource: Attributes, scope: string): ReceivedLog {
  return {
    severityNumber: Number(log.severityNumber ?? 0),
    severityText: log.severityText ?? '',
    body: anyValue(log.body),
    attributes: attributes(log.attributes),
    traceId: id(log.traceId),
    spanId: id(log.spanId),
    resource,
    scope,
  };
}
