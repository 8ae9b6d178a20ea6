// getLogger(name): a winston logger (the user's chosen library) for one module,
// with callscope's six levels, the minimum level from CALLSCOPE_LOG_LEVEL, and
// records that carry trace ids, context fields and safe errors, leave as OTLP,
// and print as JSON or pretty lines.
//
// winston is required lazily, at the first getLogger: loading it while the
// preload starts would load it before the winston instrumentation's hook is in
// place, and the app's own winston loggers would then go uncorrelated.

import { createRequire } from 'node:module';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Winston from 'winston';
import { findAppPackage } from '../app-package.js';
import { WINSTON_LEVELS, isLevelName } from './levels.js';
import { levelFor } from './logs-config.js';
import { exportRecord } from './otel-export.js';
import { type StreamName, writeLine } from './direct.js';
import { PREPARED, fromConsoleArgs, prepareRecord, type Record_ } from './record.js';
import { render } from './render.js';
import { isError } from './serialize.js';
import { logsSettings } from './settings.js';
import { OWN_LOGGER } from './winston-export.js';

type LogMethod = Winston.LeveledLogMethod;
/** A winston Logger with callscope's levels (fatal … trace) instead of npm's. */
export type CallscopeLogger = Omit<Winston.Logger, 'http' | 'verbose' | 'silly' | 'child'> & {
  fatal: LogMethod;
  trace: LogMethod;
  /** A logger whose records all carry `fields`. */
  child(fields: Record<string, unknown>): CallscopeLogger;
};

const requireHere = createRequire(import.meta.url);
let winstonModule: typeof Winston | undefined;
const winston = () => (winstonModule ??= requireHere('winston') as typeof Winston);

// triple-beam's symbols, which winston uses on its info objects (Symbol.for: shared registry).
const LEVEL = Symbol.for('level');
const MESSAGE = Symbol.for('message');
/** Which stream a record prints to (the console bridge sends warn/error to stderr). */
export const STREAM = Symbol.for('callscope.logs.stream');

const loggers = new Map<string, CallscopeLogger>();

/**
 * A logger for a module. `name` may be `import.meta.url`, `__filename` (both
 * shortened to a path relative to the app root) or any string. The same name
 * gives the same logger.
 */
export function getLogger(name: string = 'app'): CallscopeLogger {
  const loggerName = shortName(name);
  let logger = loggers.get(loggerName);
  if (!logger) {
    logger = createLogger(loggerName);
    loggers.set(loggerName, logger);
  }
  return logger;
}

export function shortName(name: string): string {
  let path = name;
  try {
    if (name.startsWith('file://')) path = fileURLToPath(name);
  } catch {
    return name;
  }
  if (!isAbsolute(path)) return path;
  const root = findAppPackage()?.dir ?? process.cwd();
  const rel = relative(root, path);
  return rel.startsWith('..') ? path : rel.split('\\').join('/');
}

function createLogger(loggerName: string): CallscopeLogger {
  const settings = logsSettings();
  const w = winston();
  const logger = w.createLogger({
    levels: WINSTON_LEVELS,
    level: levelFor(settings, loggerName),
    format: { transform: (info: Winston.Logform.TransformableInfo) => formatLine(info) } as Winston.Logform.Format,
    transports: [new (outputTransport())()],
    // Exported by exportRecord below: the winston instrumentation adds no export transport.
    [OWN_LOGGER]: true,
  } as Winston.LoggerOptions);

  // Everything a record needs from the moment of the call (active span, context
  // fields) is taken here, before winston's stream may defer the record.
  // The upstream winston instrumentation (kept for the app's own winston loggers)
  // wraps Logger.prototype.write to add trace ids; ours are added here already,
  // so call the unwrapped write (shimmer keeps it as __original).
  const patched = logger.write as ((this: Winston.Logger, info: object) => boolean) & { __original?: (this: Winston.Logger, info: object) => boolean };
  const baseWrite = patched.__original ?? patched;
  logger.write = function (this: Winston.Logger, info: Record<string | symbol, unknown>) {
    if (!info[PREPARED]) {
      try {
        const level = info[LEVEL] ?? info.level;
        if (!isLevelName(level) || !this.isLevelEnabled(level)) return true;
        if (isError(info)) info = { ...info, level, [LEVEL]: level, message: info.message, err: info };
        exportRecord(prepareRecord(info, loggerName), settings.spanEvents);
      } catch {
        // Telemetry never throws into the app: print what we have.
      }
    }
    return baseWrite.call(this, info);
  } as typeof logger.write;

  // logger.info('user %s', id) and logger.info('a', obj, 3) mean what they mean to
  // console.log (util.format); a single object after the message stays winston's
  // usual structured fields, and an Error argument becomes the `err` field.
  const baseLog = logger.log;
  logger.log = function (this: Winston.Logger, level: unknown, message?: unknown, ...rest: unknown[]) {
    if (typeof level !== 'string' || rest.length === 0 || (rest.length === 1 && isFieldsObject(rest[0]) && !hasToken(message))) {
      return (baseLog as (...args: unknown[]) => Winston.Logger).call(this, level, message, ...rest);
    }
    const { message: text, err } = fromConsoleArgs([message, ...rest]);
    (this as unknown as { write(info: object): boolean }).write({ level, [LEVEL]: level, message: text, ...(err === undefined ? {} : { err }) });
    return this;
  } as typeof logger.log;

  return logger as unknown as CallscopeLogger;
}

function isFieldsObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isError(value);
}

function hasToken(message: unknown): boolean {
  return typeof message === 'string' && /%[sdifjoOc]/.test(message);
}

function formatLine(info: Winston.Logform.TransformableInfo): Winston.Logform.TransformableInfo {
  const record = info as unknown as Record_;
  const settings = logsSettings();
  (info as Record<symbol, unknown>)[MESSAGE] = render(record, settings.format);
  return info;
}

type TransportClass = new () => Winston.transport;
let OutputTransport: TransportClass | undefined;

/** Prints the formatted line to stdout (or the record's stream), never through console.*. */
function outputTransport(): TransportClass {
  const Base = (winston() as unknown as { Transport: TransportClass }).Transport;
  OutputTransport ??= class extends Base {
    override log(info: Record<symbol, unknown>, next: () => void): void {
      writeLine((info[STREAM] as StreamName | undefined) ?? 'stdout', String(info[MESSAGE]));
      next();
    }
  };
  return OutputTransport;
}
