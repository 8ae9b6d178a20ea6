// callscope's own voice on stderr: the start-up line and warnings. One line each,
// prefixed "callscope:", so they are easy to grep and never mistaken for the app's.

import { DiagLogLevel, diag } from '@opentelemetry/api';
import type { Config, DiagLevelName } from './config.js';

const LEVELS: Record<DiagLevelName, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

let level: DiagLogLevel = DiagLogLevel.INFO;

export function setDiagLevel(config: Config): void {
  level = LEVELS[config.diagLevel];
  if (config.diagRequested && level > DiagLogLevel.INFO) {
    // Debug output of the OpenTelemetry SDK itself, only when asked for.
    diag.setLogger(
      { error: line('error'), warn: line('warn'), info: line('info'), debug: line('debug'), verbose: line('verbose') },
      { logLevel: level, suppressOverrideMessage: true },
    );
  }
}

function line(kind: string) {
  return (message: string, ...args: unknown[]) => {
    const extra = args.length > 0 ? ' ' + args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' ') : '';
    write(`otel ${kind}: ${message}${extra}`);
  };
}

function write(text: string): void {
  try {
    process.stderr.write(`callscope: ${text}\n`);
  } catch {
    // stderr closed: nowhere left to report to, and the app must not notice.
  }
}

export function warn(message: string): void {
  if (level >= DiagLogLevel.WARN) write(`warning: ${message}`);
}

export function info(message: string): void {
  if (level >= DiagLogLevel.INFO) write(message);
}

export function debug(message: string): void {
  if (level >= DiagLogLevel.DEBUG) write(message);
}
