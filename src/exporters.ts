// OTLP/HTTP exporters for the three signals, protobuf or JSON. Each is wrapped
// so that an unreachable collector produces one warning per outage (and one
// line when it recovers), never one per batch, and so that during an outage
// only one export attempt per collector is in flight: the exporters retry for
// up to their timeout with timers that keep the process alive, so unchecked
// attempts would pile up, burn CPU and stop a finished app from exiting. (Imported statically so the
// build bundles them; the bundled SDK starts in a fraction of the time it takes
// to resolve and read its ~500 files one by one.)

import type { ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter as LogsJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as MetricsJson } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as MetricsProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as TracesJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TracesProto } from '@opentelemetry/exporter-trace-otlp-proto';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { ExportTarget, Signal } from './config.js';
import * as diagnostics from './diag.js';

type Exporter = SpanExporter | PushMetricExporter | LogRecordExporter;
type ExporterClass = new (config: { url: string; headers: Record<string, string>; timeoutMillis: number }) => Exporter;

const CLASSES: Record<Signal, Record<ExportTarget['protocol'], ExporterClass>> = {
  traces: { 'http/protobuf': TracesProto, 'http/json': TracesJson },
  metrics: { 'http/protobuf': MetricsProto, 'http/json': MetricsJson },
  logs: { 'http/protobuf': LogsProto, 'http/json': LogsJson },
};

function createExporter(signal: Signal, target: ExportTarget, outages: OutageReporter): Exporter {
  const Exporter = CLASSES[signal][target.protocol];
  const exporter = new Exporter({ url: target.url, headers: target.headers, timeoutMillis: target.timeoutMs });
  const send = exporter.export.bind(exporter) as (items: unknown, done: (result: ExportResult) => void) => void;
  const collector = new URL(target.url).origin;
  (exporter as { export: typeof send }).export = (items, done) => {
    if (!outages.begin(collector)) {
      outages.end(signal, collector, target.url, SKIPPED);
      done(SKIPPED);
      return;
    }
    send(items, (result) => {
      outages.end(signal, collector, target.url, result);
      done(result);
    });
  };
  return exporter;
}

export const createSpanExporter = (target: ExportTarget, outages: OutageReporter) => createExporter('traces', target, outages) as SpanExporter;
export const createMetricExporter = (target: ExportTarget, outages: OutageReporter) => createExporter('metrics', target, outages) as PushMetricExporter;
export const createLogExporter = (target: ExportTarget, outages: OutageReporter) => createExporter('logs', target, outages) as LogRecordExporter;

const SKIPPED: ExportResult = { code: 1 /* ExportResultCode.FAILED */, error: new Error('the collector is unreachable; export skipped') };

/** Tracks, per collector (origin), whether exports fail; says so once per outage; gates attempts during one. */
export class OutageReporter {
  private readonly down = new Map<string, { since: number; lost: number }>();
  private readonly inFlight = new Map<string, number>();

  /** Whether an export to `key` (the collector's origin) may start now; every true must be followed by end(). */
  begin(key: string): boolean {
    const running = this.inFlight.get(key) ?? 0;
    if (this.down.has(key) && running > 0) return false;
    this.inFlight.set(key, running + 1);
    return true;
  }

  end(signal: Signal, key: string, url: string, result: ExportResult): void {
    if (result !== SKIPPED) this.inFlight.set(key, Math.max(0, (this.inFlight.get(key) ?? 1) - 1));
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
