// OTLP/HTTP exporters for the three signals, protobuf or JSON, loaded only for
// the protocol in use. Each is wrapped so that an unreachable collector produces
// one warning per outage (and one line when it recovers), never one per batch.

import { createRequire } from 'node:module';
import type { ExportResult } from '@opentelemetry/core';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { ExportTarget, Signal } from './config.js';
import * as diagnostics from './diag.js';

const requireHere = createRequire(import.meta.url);

const PACKAGES: Record<Signal, Record<ExportTarget['protocol'], string>> = {
  traces: { 'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto', 'http/json': '@opentelemetry/exporter-trace-otlp-http' },
  metrics: { 'http/protobuf': '@opentelemetry/exporter-metrics-otlp-proto', 'http/json': '@opentelemetry/exporter-metrics-otlp-http' },
  logs: { 'http/protobuf': '@opentelemetry/exporter-logs-otlp-proto', 'http/json': '@opentelemetry/exporter-logs-otlp-http' },
};
const CLASSES: Record<Signal, string> = { traces: 'OTLPTraceExporter', metrics: 'OTLPMetricExporter', logs: 'OTLPLogExporter' };

type Exporter = SpanExporter | PushMetricExporter | LogRecordExporter;

function createExporter(signal: Signal, target: ExportTarget, outages: OutageReporter): Exporter {
  const module = requireHere(PACKAGES[signal][target.protocol]) as Record<string, new (config: object) => Exporter>;
  const Exporter = module[CLASSES[signal]]!;
  const exporter = new Exporter({ url: target.url, headers: target.headers, timeoutMillis: target.timeoutMs });
  const send = exporter.export.bind(exporter) as (items: unknown, done: (result: ExportResult) => void) => void;
  (exporter as { export: typeof send }).export = (items, done) =>
    send(items, (result) => {
      outages.record(signal, target.url, result);
      done(result);
    });
  return exporter;
}

export const createSpanExporter = (target: ExportTarget, outages: OutageReporter) => createExporter('traces', target, outages) as SpanExporter;
export const createMetricExporter = (target: ExportTarget, outages: OutageReporter) => createExporter('metrics', target, outages) as PushMetricExporter;
export const createLogExporter = (target: ExportTarget, outages: OutageReporter) => createExporter('logs', target, outages) as LogRecordExporter;

/** Tracks, per endpoint, whether exports are failing, and says so once per outage. */
export class OutageReporter {
  private readonly down = new Map<string, { since: number; lost: number }>();

  record(signal: Signal, url: string, result: ExportResult): void {
    const key = new URL(url).origin;
    const outage = this.down.get(key);
    if (result.code === 0 /* ExportResultCode.SUCCESS */) {
      if (outage) {
        this.down.delete(key);
        const seconds = Math.round((Date.now() - outage.since) / 1000);
        diagnostics.warn(`the collector at ${key} is reachable again after ${seconds}s; ${outage.lost} batch(es) of telemetry were lost meanwhile`);
      }
      return;
    }
    if (outage) {
      outage.lost++;
      return;
    }
    this.down.set(key, { since: Date.now(), lost: 1 });
    const reason = result.error?.message ?? 'unknown error';
    diagnostics.warn(`cannot export ${signal} to ${url} (${reason}); telemetry is dropped until the collector is reachable, further failures are not reported`);
  }
}
