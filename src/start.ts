// start() and shutdown(): the one path that turns a Config into running
// telemetry, used by both the preload (register) and apps that start in code.

import { resolveConfig } from './config.js';
import * as diagnostics from './diag.js';
import { registerEsmHook } from './esm-hook.js';
import { loadInstrumentations, selectInstrumentations } from './instrumentations.js';
import { installLogging } from './logs/install.js';
import type { CallscopeOptions } from './options.js';
import { startSdk } from './sdk.js';
import { installShutdownHandlers, withDeadline } from './shutdown.js';
import { VERSION, state } from './state.js';

let removeHandlers: (() => void) | undefined;

/** Starts callscope. Safe to call more than once: later calls are ignored. Never throws. */
export function start(options: CallscopeOptions = {}, startedBy: 'register' | 'start()' = 'start()'): void {
  if (state.sdk || state.config?.disabled) {
    if (startedBy === 'start()') diagnostics.warn(`callscope is already running (started by ${state.startedBy}); this start() call is ignored`);
    return;
  }
  try {
    const config = resolveConfig(options);
    state.config = config;
    diagnostics.setDiagLevel(config);
    for (const warning of config.warnings) diagnostics.warn(warning);
    if (config.disabled) {
      diagnostics.debug('OTEL_SDK_DISABLED=true: telemetry is off');
      return;
    }

    const loaded = loadInstrumentations(selectInstrumentations(config), config, diagnostics.warn);
    const hook = registerEsmHook(loaded.modules);
    const sdk = startSdk(config, loaded.instances);
    state.sdk = sdk;
    state.startedBy = startedBy;
    const removeSignalHandlers = installShutdownHandlers(sdk, stopOnce, config.shutdownTimeoutMs);
    const removeLogging = installLogging(config, () => sdk.forceFlush());
    removeHandlers = () => {
      removeSignalHandlers();
      removeLogging();
    };

    const traces = config.export.traces;
    diagnostics.info(
      `callscope ${VERSION} started: service=${config.serviceName} endpoint=${new URL(traces.url).origin} (${traces.protocol}) ` +
        `instrumentations=${loaded.names.join(',') || 'none'} esm-hook=${hook}`,
    );
  } catch (error) {
    // A bug of ours must not stop the app: say so and run without telemetry.
    diagnostics.warn(`could not start (${(error as Error)?.stack ?? String(error)}); the app runs without telemetry`);
  }
}

/** Shuts the SDK down once, however many callers (signal, beforeExit, the app) ask. */
function stopOnce(): Promise<void> {
  const sdk = state.sdk;
  if (!sdk) return Promise.resolve();
  state.shutdown ??= sdk.shutdown().finally(() => removeHandlers?.());
  return state.shutdown;
}

const timeoutMs = () => state.config?.shutdownTimeoutMs ?? 5000;

/** Flushes everything and stops telemetry. Resolves (never rejects) within the shutdown timeout. */
export async function shutdown(): Promise<void> {
  await withDeadline(stopOnce(), timeoutMs(), 'shutdown');
}

/** Exports everything buffered now, without stopping. Resolves (never rejects) within the shutdown timeout. */
export async function flush(): Promise<void> {
  if (state.sdk) await withDeadline(state.sdk.forceFlush(), timeoutMs(), 'flush');
}
