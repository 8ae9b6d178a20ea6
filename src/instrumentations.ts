// Decides which instrumentations run and loads only those, synchronously (a
// `--require` preload cannot await) and only when the app can use them.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { appEntryDir, findAppPackage } from './app-package.js';
import { guardAwsSdkInstrumentation } from './aws-sdk-guard.js';
import type { Config } from './config.js';
import { INSTRUMENTATIONS, type InstrumentationSpec } from './instrumentation-table.js';
import { isTracedWsHandshake } from './instrumentation-ws/instrumentation.js';

export interface LoadedInstrumentations {
  instances: Instrumentation[];
  names: string[];
  /** Module specifiers the ESM hook must intercept for these instrumentations. */
  modules: string[];
}

/** The specs to run: explicit enables are forced on; defaults need their library installed. */
export function selectInstrumentations(config: Config, isInstalled = isPackageInstalled): InstrumentationSpec[] {
  const disabled = new Set(config.disabledInstrumentations);
  const explicit = config.enabledInstrumentations ? new Set(config.enabledInstrumentations) : undefined;
  return INSTRUMENTATIONS.filter((spec) => {
    if (disabled.has(spec.name)) return false;
    if (explicit) return explicit.has(spec.name);
    if (!spec.onByDefault) return false;
    if (spec.builtin) return true;
    if (spec.appMustDeclare) return spec.modules.some((name) => findAppPackage()?.declared.has(name));
    return spec.modules.some((name) => isInstalled(name));
  });
}

export function loadInstrumentations(specs: InstrumentationSpec[], config: Config, warn: (message: string) => void): LoadedInstrumentations {
  const loaded: LoadedInstrumentations = { instances: [], names: [], modules: [] };
  for (const spec of specs) {
    try {
      const Class = spec.load();
      // Constructing enables the hooks at once (nothing of the app has loaded yet);
      // registerInstrumentations() then hands them the providers.
      const instance = new Class(instrumentationConfig(spec.name, config));
      if (spec.name === 'aws-sdk') guardAwsSdkInstrumentation(instance);
      loaded.instances.push(instance);
      loaded.names.push(spec.name);
      loaded.modules.push(...spec.modules);
    } catch (error) {
      warn(`instrumentation ${spec.name} could not be loaded (${(error as Error).message}); continuing without it`);
    }
  }
  return loaded;
}

/** Per-instrumentation settings that differ from the upstream defaults. */
function instrumentationConfig(name: string, config: Config): object {
  switch (name) {
    case 'http':
      // A ws client handshake gets one CLIENT span from the ws instrumentation, not a second one here.
      return { ignoreOutgoingRequestHook: isTracedWsHandshake };
    case 'ws':
      return { messageSpans: config.ws.messageSpans, sendSpans: config.ws.sendSpans };
    case 'winston':
      // Records are exported by callscope's pipeline (src/logs/winston-export.ts),
      // never through @opentelemetry/winston-transport.
      return { disableLogSending: true };
    default:
      return {};
  }
}

/** Whether `node_modules/<name>` exists above the app's entry script or the working directory. */
export function isPackageInstalled(name: string): boolean {
  const roots = new Set([appEntryDir(), findAppPackage()?.dir ?? process.cwd(), process.cwd()]);
  for (const root of roots) {
    for (let dir = root; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'node_modules', name))) return true;
      if (dirname(dir) === dir) break;
    }
  }
  return false;
}
