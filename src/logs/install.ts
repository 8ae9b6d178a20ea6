// What start() switches on for logging, and the span processors sdk.ts adds:
// the two places the rest of callscope touches src/logs/.

import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Config } from '../config.js';
import { installConsoleBridge, uninstallConsoleBridge } from './console-bridge.js';
import { LogContextSpanProcessor } from './context.js';
import { installCrashCapture } from './crash.js';
import { OpenSpansProcessor } from './open-spans.js';

let openSpans: OpenSpansProcessor | undefined;

/** Span processors for sdk.ts: withLogContext fields as span attributes, and the open spans a crash must end. */
export function logSpanProcessors(): SpanProcessor[] {
  openSpans = new OpenSpansProcessor();
  return [new LogContextSpanProcessor(), openSpans];
}

/** The console bridge (unless CALLSCOPE_CONSOLE=off) and crash capture. Returns the undo. Never throws. */
export function installLogging(config: Config, flush: () => Promise<void>): () => void {
  if (config.logs.console) installConsoleBridge();
  const removeCrash = installCrashCapture({ flush, timeoutMs: config.shutdownTimeoutMs, openSpans });
  return () => {
    removeCrash();
    uninstallConsoleBridge();
  };
}
