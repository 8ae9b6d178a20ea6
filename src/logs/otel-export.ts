// A prepared record leaves the process three ways besides the output line: as an
// OpenTelemetry log record (OTLP -> collector -> CloudWatch Logs or any backend),
// as an event on the active span when it is at or above the span-events level
// (so warnings and errors show inside the trace in Jaeger), and as a count in
// callscope.log.records.
//
// Records go to `logs` of @opentelemetry/api 1.10, which our SDK registers its
// LoggerProvider with. @opentelemetry/winston-transport is not used: it binds to
// the old @opentelemetry/api-logs global, so its records would never arrive.

import { type Attributes, type Logger, context, logs, metrics, trace } from '@opentelemetry/api';
import { type LevelName, SEVERITY_NUMBER, SEVERITY_TEXT, passes } from './levels.js';
import { CORE_KEYS, FIELD_KEYS, HIDDEN_KEYS, type Record_, TIME_MS } from './record.js';
import { state } from '../state.js';
import type { SerializedError } from './serialize.js';

const SCOPE_VERSION = '1';
// One API logger per logger name (the instrumentation scope is the logger's name,
// as OpenTelemetry's log bridges do); the API's proxy follows a provider set later.
const scopes = new Map<string, Logger>();
function scopeLogger(name: string): Logger {
  let logger = scopes.get(name);
  if (!logger) {
    logger = logs.getLogger(name, SCOPE_VERSION);
    scopes.set(name, logger);
  }
  return logger;
}

// callscope.log.records: counted in a plain table and reported by an observable
// counter at each metric export, so a record costs an increment, not a
// per-record attribute hash in the metrics SDK.
// The table lives on a Symbol.for global: the ESM and CJS builds (the preload's
// console bridge and a require('callscope') app) must share one instrument.
interface Counts {
  byLevel: Record<LevelName, number>;
  observedFor: unknown;
}
const COUNTS = Symbol.for('callscope.logs.counts');
const holder = globalThis as { [COUNTS]?: Counts };
const shared: Counts = (holder[COUNTS] ??= { byLevel: { fatal: 0, error: 0, warn: 0, info: 0, debug: 0, trace: 0 }, observedFor: undefined });

function countRecord(level: LevelName): void {
  const counts = shared.byLevel;
  counts[level]++;
  // The metrics API has no proxy: register with the provider once callscope's SDK
  // is running (and again if it is replaced), checked by identity, not a global lookup.
  if (state.sdk !== shared.observedFor) {
    shared.observedFor = state.sdk;
    if (state.sdk) {
      const counter = metrics.getMeterProvider().getMeter('callscope').createObservableCounter('callscope.log.records', { description: 'Log records by level' });
      counter.addCallback((result) => {
        for (const name of Object.keys(counts) as LevelName[]) if (counts[name] > 0) result.observe(counts[name], { 'log.level': name });
      });
    }
  }
}

/** Sends a prepared record on. Never throws. */
export function exportRecord(record: Record_, spanEvents: LevelName | 'off'): void {
  try {
    const level = record.level;
    const attributes: Attributes = {};
    let error: SerializedError | undefined;
    // Called right after prepareRecord, whose list of field names is still exact.
    const keys = ((record as Record<symbol, unknown>)[FIELD_KEYS] as string[] | undefined) ?? Object.keys(record);
    for (const key of keys) {
      if (CORE_KEYS.has(key) || HIDDEN_KEYS.has(key)) continue;
      const value = record[key];
      if (value === undefined) continue;
      attributes[key] = value as Attributes[string];
      if (!error && isSerializedError(value)) error = value;
    }
    if (error) {
      attributes['exception.type'] = error.name;
      attributes['exception.message'] = error.message;
      if (error.stack) attributes['exception.stacktrace'] = error.stack;
    }
    const active = context.active();
    scopeLogger(record.logger).emit({
      timestamp: ((record as Record<symbol, unknown>)[TIME_MS] as number | undefined) ?? Date.now(),
      severityNumber: SEVERITY_NUMBER[level],
      severityText: SEVERITY_TEXT[level],
      body: record.message,
      attributes,
      context: active,
    });
    countRecord(level);

    if (spanEvents !== 'off' && passes(level, spanEvents)) {
      const span = trace.getSpan(active);
      if (span?.isRecording()) {
        span.addEvent(error ? 'exception' : 'log', {
          'log.severity': SEVERITY_TEXT[level],
          'log.message': record.message,
          'logger.name': record.logger,
          ...(error ? { 'exception.type': error.name, 'exception.message': error.message, 'exception.stacktrace': error.stack ?? '' } : {}),
        });
      }
    }
  } catch {
    // Telemetry never throws into the app.
  }
}

function isSerializedError(value: unknown): value is SerializedError {
  return typeof value === 'object' && value !== null && typeof (value as SerializedError).stack === 'string' && typeof (value as SerializedError).name === 'string';
}
