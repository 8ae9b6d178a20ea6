// Crash capture. An uncaught exception becomes a fatal record and an exception
// event on the spans of the failing call chain; the open spans are ended and
// everything is flushed; then the process exits with status 1, as Node would.
//
// Node's own rules are kept:
// - An app's 'uncaughtException' listener means the app handles it: we record an
//   error and do not exit. 'uncaughtExceptionMonitor' listeners are untouched.
// - Unhandled rejections follow --unhandled-rejections. In `throw` (default) and
//   `strict` mode Node raises them as uncaught exceptions (origin
//   'unhandledRejection'), which arrive here: fatal record, same exit. We add no
//   'unhandledRejection' listener in those modes, because its mere presence
//   would stop Node from throwing. In `warn`, `warn-with-error-code` and `none`
//   mode the process lives on: an error record (and exit code 1 for
//   warn-with-error-code, which our listener would otherwise suppress).
// - process 'warning' -> a warn record, exported only: Node prints it already.

import { inspect } from 'node:util';
import { context } from '@opentelemetry/api';
import * as diagnostics from '../diag.js';
import { withDeadline } from '../shutdown.js';
import { markProcessCrashing } from '../spans/severity.js';
import { logDirect } from './direct.js';
import type { OpenSpansProcessor } from './open-spans.js';

export const PROCESS_LOGGER = 'process';

export interface CrashOptions {
  flush: () => Promise<void>;
  timeoutMs: number;
  openSpans: OpenSpansProcessor | undefined;
}

type RejectionMode = 'throw' | 'strict' | 'warn' | 'none' | 'warn-with-error-code';

/** --unhandled-rejections from the command line or NODE_OPTIONS (the last one wins, as in Node). */
export function rejectionMode(execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): RejectionMode {
  let mode: RejectionMode = 'throw';
  for (const arg of [...nodeOptions.split(/\s+/), ...execArgv]) {
    const match = /^--unhandled-rejections=(throw|strict|warn|none|warn-with-error-code)$/.exec(arg);
    if (match) mode = match[1] as RejectionMode;
  }
  return mode;
}

/** Installs the listeners; returns a function that removes them. */
export function installCrashCapture(options: CrashOptions): () => void {
  let crashing = false;
  const mode = rejectionMode();

  const onUncaught = (error: unknown, origin: string) => {
    const rejection = origin === 'unhandledRejection';
    const what = rejection ? 'Unhandled rejection' : 'Uncaught exception';
    const fields = fieldsOf(error);
    if (process.listenerCount('uncaughtException') > 1) {
      // The app has its own listener and decides what happens next.
      logDirect(PROCESS_LOGGER, 'error', `${what} (handled by the app): ${messageOf(error)}`, fields, { stream: 'stderr' });
      return;
    }
    if (crashing) return; // a second error while flushing: we exit anyway
    crashing = true;
    markProcessCrashing();
    const active = context.active();
    logDirect(PROCESS_LOGGER, 'fatal', `${what}: ${messageOf(error)}`, fields, { stream: 'stdout' });
    options.openSpans?.endAll(error, active);
    // What Node prints for an uncaught exception, so humans and process managers see the usual text.
    try {
      process.stderr.write(`${rejection && !(error instanceof Error) ? `[UnhandledPromiseRejection: ${inspect(error)}]` : inspect(error)}\n\nNode.js ${process.version}\n`);
    } catch {
      // stderr closed
    }
    void withDeadline(options.flush(), options.timeoutMs, 'flushing telemetry after an uncaught exception').then(() => process.exit(1));
  };

  const onRejection = (reason: unknown) => {
    if (mode === 'warn-with-error-code' && process.listenerCount('unhandledRejection') === 1) process.exitCode = 1;
    logDirect(PROCESS_LOGGER, 'error', `Unhandled rejection: ${messageOf(reason)}`, fieldsOf(reason), { stream: mode === 'none' ? undefined : 'stderr' });
  };

  const onWarning = (warning: Error) => {
    // Unhandled rejections in warn mode are recorded by onRejection already.
    if (warning.name === 'UnhandledPromiseRejectionWarning') return;
    logDirect(PROCESS_LOGGER, 'warn', `${warning.name}: ${warning.message}`, { warning });
  };

  process.on('uncaughtException', onUncaught);
  const listensToRejections = mode === 'warn' || mode === 'warn-with-error-code' || mode === 'none';
  if (listensToRejections) process.on('unhandledRejection', onRejection);
  process.on('warning', onWarning);
  diagnostics.debug(`crash capture installed (--unhandled-rejections=${mode})`);

  return () => {
    process.removeListener('uncaughtException', onUncaught);
    process.removeListener('unhandledRejection', onRejection);
    process.removeListener('warning', onWarning);
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : inspect(error);
}

function fieldsOf(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { err: error } : { reason: error };
}
