// Hand-built OTLP/HTTP JSON, shaped like what callscope emits (and, without callscope.* attributes,
// like what another language's SDK emits). Sent straight to the collector's :4318-style endpoint.
import crypto from 'node:crypto';

const hex = (bytes) => crypto.randomBytes(bytes).toString('hex');

/** X-Ray wants the first 4 bytes of a trace id to be a recent epoch second: make them so. */
export function traceId(epochSec = Math.floor(Date.now() / 1000)) {
  return epochSec.toString(16).padStart(8, '0') + hex(12);
}
export const spanId = () => hex(8);
/** The X-Ray form of an OTLP trace id: 1-<8 hex epoch>-<24 hex>. */
export const xrayTraceId = (id) => `1-${id.slice(0, 8)}-${id.slice(8)}`;

export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 };

function anyValue(v) {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Number.isInteger(v)) return { intValue: String(v) };
  if (typeof v === 'number') return { doubleValue: v };
  throw new Error(`unsupported attribute value ${v}`);
}
export const attrs = (obj) => Object.entries(obj).map(([key, v]) => ({ key, value: anyValue(v) }));
const nanos = (ms) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** One span; times in ms since epoch. */
export function span({ trace, id = spanId(), parent, name, kind = SpanKind.INTERNAL, startMs, durationMs = 20, attributes = {}, status = StatusCode.UNSET }) {
  const start = startMs ?? Date.now() - durationMs;
  return {
    traceId: trace,
    spanId: id,
    ...(parent ? { parentSpanId: parent } : {}),
    name,
    kind,
    startTimeUnixNano: nanos(start),
    endTimeUnixNano: nanos(start + durationMs),
    attributes: attrs(attributes),
    status: { code: status },
  };
}

export const resource = (serviceName, extra = {}) => ({ attributes: attrs({ 'service.name': serviceName, ...extra }) });

export const tracesPayload = (res, spans, scope = 'callscope') => ({
  resourceSpans: [{ resource: res, scopeSpans: [{ scope: { name: scope }, spans }] }],
});

/** Severity numbers from design.md. */
export const SEVERITY = { fatal: 21, error: 17, warn: 13, info: 9, debug: 5, trace: 1 };

export function logRecord({ level = 'info', message, trace, span: sid, attributes = {}, logger = 'app' }) {
  return {
    timeUnixNano: nanos(Date.now()),
    observedTimeUnixNano: nanos(Date.now()),
    severityNumber: SEVERITY[level],
    severityText: level,
    body: { stringValue: message },
    attributes: attrs({ 'log.logger': logger, ...attributes }),
    ...(trace ? { traceId: trace, spanId: sid } : {}),
  };
}
export const logsPayload = (res, records, scope = 'callscope') => ({
  resourceLogs: [{ resource: res, scopeLogs: [{ scope: { name: scope }, logRecords: records }] }],
});

/**
 * callscope.external.duration: a histogram in seconds. DELTA by default; CUMULATIVE (what the Node SDK
 * sends unless told otherwise) when startMs is given: every point then counts from startMs.
 */
export function durationHistogram(points, { cumulativeSinceMs } = {}) {
  const now = Date.now();
  return {
    name: 'callscope.external.duration',
    unit: 's',
    description: 'Duration of outbound calls to external services',
    histogram: {
      aggregationTemporality: cumulativeSinceMs ? 2 : 1, // CUMULATIVE : DELTA
      dataPoints: points.map(({ attributes, values }) => {
        const bounds = [0.1, 0.5, 1, 5];
        const counts = bounds.map(() => 0).concat([0]);
        for (const v of values) counts[bounds.findIndex((b) => v <= b) === -1 ? bounds.length : bounds.findIndex((b) => v <= b)]++;
        return {
          attributes: attrs(attributes),
          startTimeUnixNano: nanos(cumulativeSinceMs ?? now - 10_000),
          timeUnixNano: nanos(now),
          count: String(values.length),
          sum: values.reduce((a, b) => a + b, 0),
          min: Math.min(...values),
          max: Math.max(...values),
          explicitBounds: bounds,
          bucketCounts: counts.map(String),
        };
      }),
    },
  };
}
export const metricsPayload = (res, metrics, scope = 'callscope') => ({
  resourceMetrics: [{ resource: res, scopeMetrics: [{ scope: { name: scope }, metrics }] }],
});

/** POST one OTLP/HTTP JSON payload; path is v1/traces, v1/logs or v1/metrics. */
export async function post(baseUrl, path, payload) {
  const res = await fetch(`${baseUrl}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`POST ${path} -> ${res.status} ${body}`);
  return body;
}
