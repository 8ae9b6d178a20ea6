// The app's own winston loggers (`winston.createLogger()` in the app's code) export
// their records too, next to getLogger's and the console bridge's.
//
// The upstream winston instrumentation adds trace_id/span_id to every record and,
// unless told not to, appends @opentelemetry/winston-transport to each logger it
// sees configured; that transport binds to the old @opentelemetry/api-logs global,
// so its records never reach our SDK. Here the same hook (Logger#configure) appends
// a transport of ours instead, which hands each record to callscope's log pipeline
// (prepareRecord + exportRecord: trace context, context fields, JSON-safe fields,
// redaction, OTLP, span events, callscope.log.records). getLogger's own loggers are
// marked and skipped: they export already.

import { createRequire } from 'node:module';
import { formatWithOptions } from 'node:util';
import { type Context, context } from '@opentelemetry/api';
import type { InstrumentationClass } from '../instrumentation-table.js';
import type { LevelName } from './levels.js';
import { exportRecord } from './otel-export.js';
import { prepareRecord } from './record.js';
import { logsSettings } from './settings.js';

/** Put on the options of getLogger's winston loggers: their records are exported already. */
export const OWN_LOGGER = Symbol.for('callscope.logs.ownLogger');
// Where the winston instrumentation keeps the context of the logging call on each record.
const CALL_CONTEXT = Symbol.for('opentelemetry.js.contrib.winston.context');
const LEVEL = Symbol.for('level');
/** The instrumentation scope of these records (a winston logger has no name of its own). */
const SCOPE = 'winston';

// winston's level sets (npm, syslog, cli) onto the six of design.md; anything else is info.
const LEVEL_MAP: Record<string, LevelName> = {
  emerg: 'fatal', alert: 'fatal', crit: 'fatal', fatal: 'fatal',
  error: 'error',
  warning: 'warn', warn: 'warn',
  notice: 'info', info: 'info', http: 'info', help: 'info', data: 'info', prompt: 'info',
  verbose: 'debug', debug: 'debug', input: 'debug',
  silly: 'trace', trace: 'trace',
};

// The fields winston and its instrumentation put on a record that are not the app's.
const NOT_FIELDS = new Set(['level', 'message', 'trace_id', 'span_id', 'trace_flags']);

/** Hands one record of an app's winston logger to the log pipeline. Never throws. */
function exportWinstonRecord(info: Record<string | symbol, unknown>): void {
  try {
    const level = String(info[LEVEL] ?? info.level);
    const message = info.message;
    const mapped = Object.hasOwn(LEVEL_MAP, level) ? LEVEL_MAP[level] : undefined; // never Object.prototype's "constructor"…
    const copy: Record<string, unknown> = { level: mapped ?? 'info', message: typeof message === 'string' ? message : formatWithOptions({ colors: false }, message) };
    if (mapped !== level) copy['log.level.original'] = level; // http, verbose, silly, syslog's…
    // A copy: the app's other transports must see the record exactly as before.
    for (const key of Object.keys(info)) if (!NOT_FIELDS.has(key)) copy[key] = info[key];
    // logger.error('failed', err) leaves winston's record with the error's stack as a
    // string (and its message appended to the text): make it the structured error.
    if (typeof copy.stack === 'string' && copy.err === undefined) {
      const head = /^([\w$.]+): ?(.*)$/.exec(copy.stack.split('\n', 1)[0]!);
      copy.err = { name: head?.[1] ?? 'Error', message: head?.[2] ?? '', stack: copy.stack };
      delete copy.stack;
    }
    const callContext = (info[CALL_CONTEXT] as Context | undefined) ?? context.active();
    context.with(callContext, () => exportRecord(prepareRecord(copy, SCOPE), logsSettings().spanEvents));
  } catch {
    // Telemetry never throws into the app.
  }
}

type TransportBase = new (options?: object) => object;
let ExportTransport: TransportBase | undefined;

/**
 * A transport that exports each record. Made at the first configure, not at start:
 * requiring winston while the preload starts would load it before the
 * instrumentation's hook is in place (see logger.ts). winston accepts any
 * object-mode Writable, so callscope's copy of its Transport serves any app copy.
 */
function exportTransport(): object {
  if (!ExportTransport) {
    const { Transport } = createRequire(import.meta.url)('winston') as { Transport: new (options?: object) => object };
    ExportTransport = class extends Transport {
      log(info: Record<string | symbol, unknown>, next: () => void): void {
        exportWinstonRecord(info);
        next();
      }
    };
  }
  return new ExportTransport();
}

/** The winston instrumentation, with the export transport instead of @opentelemetry/winston-transport. */
export function winstonInstrumentation(requireFrom: NodeJS.Require): InstrumentationClass {
  const { WinstonInstrumentation } = requireFrom('@opentelemetry/instrumentation-winston') as { WinstonInstrumentation: InstrumentationClass };
  class CallscopeWinstonInstrumentation extends WinstonInstrumentation {}
  // The upstream wraps Logger#configure with what this returns (instrumentation-winston
  // 0.69.0, pinned; test/logs-winston-app.test.ts fails if that changes).
  Object.defineProperty(CallscopeWinstonInstrumentation.prototype, '_getPatchedConfigure', {
    value() {
      return (original: (...args: unknown[]) => unknown) =>
        function patchedConfigure(this: unknown, ...args: unknown[]) {
          try {
            const options = args[0] as ({ transports?: unknown; [OWN_LOGGER]?: boolean } & object) | undefined;
            if (options && typeof options === 'object' && !options[OWN_LOGGER]) {
              const transports = options.transports === undefined ? [] : Array.isArray(options.transports) ? options.transports : [options.transports];
              args[0] = { ...options, transports: [...transports, exportTransport()] };
            }
          } catch {
            // never into the app: configure as asked
          }
          return original.apply(this, args);
        };
    },
  });
  return CallscopeWinstonInstrumentation;
}
