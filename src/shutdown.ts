// Signals, flush, exit. Node's default for SIGTERM/SIGINT is to die at once,
// losing whatever telemetry is buffered. We listen so we can flush first, and
// then behave exactly as Node would have: if the app has its own handler we
// leave exiting to it; if not, we re-raise the signal so the process ends by
// that signal (status 128+n), as it would have without us.

import * as diagnostics from './diag.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export interface Flushable {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Waits for `work` at most `ms`; resolves true if it finished in time. Never rejects. */
export function withDeadline(work: Promise<void>, ms: number, what: string): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      diagnostics.warn(`${what} did not finish within ${ms} ms; going on without it`);
      resolve(false);
    }, ms);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      (error: unknown) => {
        clearTimeout(timer);
        diagnostics.warn(`${what} failed: ${(error as Error)?.message ?? String(error)}`);
        resolve(true);
      },
    );
  });
}

/** Installs the handlers; returns a function that removes them (used by shutdown()). */
export function installShutdownHandlers(sdk: Flushable, shutdownSdk: () => Promise<void>, timeoutMs: number): () => void {
  const handlers = new Map<(typeof SIGNALS)[number], () => void>();
  for (const signal of SIGNALS) {
    const handler = () => {
      // Other listeners than ours: the app owns this signal. Flush, leave the rest to it.
      if (process.listenerCount(signal) > 1) {
        void withDeadline(sdk.forceFlush(), timeoutMs, `flushing telemetry on ${signal}`);
        return;
      }
      // Ours alone: Node would exit now. Stop listening first, so that a second
      // Ctrl-C during the flush kills the process the default way.
      process.removeListener(signal, handler);
      void withDeadline(shutdownSdk(), timeoutMs, `flushing telemetry on ${signal}`).then(() => {
        process.kill(process.pid, signal);
      });
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }

  // The event loop is empty: the app is done and the process would exit now.
  // Shut down (final export of spans, logs and metrics) once. If the collector
  // cannot be reached, the exporters' retries would keep the process alive for
  // a long time; past the deadline we end it the way it was about to end.
  let shuttingDownBeforeExit = false;
  const beforeExit = () => {
    if (shuttingDownBeforeExit) return;
    shuttingDownBeforeExit = true;
    void withDeadline(shutdownSdk(), timeoutMs, 'flushing telemetry before exit').then((inTime) => {
      if (!inTime) process.exit();
    });
  };
  process.on('beforeExit', beforeExit);

  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    process.removeListener('beforeExit', beforeExit);
  };
}
