// Registers the import-in-the-middle loader hook so that ESM named imports
// (`import { createServer } from 'node:http'`) see patched exports. Only the
// modules our enabled instrumentations patch are intercepted: hooking every
// module is what makes the plain OpenTelemetry register take seconds to start.

import { createRequire, register as registerAsyncLoader } from 'node:module';
import { pathToFileURL } from 'node:url';

// import-in-the-middle is loaded from where @opentelemetry/instrumentation
// finds it, not from our own dependencies: the loader hook and the
// instrumentations' Hook() calls must share one copy of it, or named ESM
// imports would silently stay unpatched. (So it is no dependency of ours.)
const fromInstrumentation = createRequire(createRequire(import.meta.url).resolve('@opentelemetry/instrumentation'));

interface SyncHooks {
  supportsSyncHooks(): boolean;
  register(options: { include: string[] }): void;
}

interface MessageChannelHooks {
  createAddHookMessageChannel(): { registerOptions: object; waitForAllMessagesAcknowledged(): Promise<void> };
}

/** Returns how the hook was registered, for the start-up diagnostics. */
export function registerEsmHook(modules: string[]): 'sync' | 'async' | 'none' {
  const include = [...new Set(modules)];
  if (include.length === 0) return 'none';
  // register-hooks.mjs has no top-level await, so require(esm) loads it synchronously (Node >= 22.12).
  const sync = fromInstrumentation('import-in-the-middle/register-hooks.mjs') as SyncHooks;
  if (sync.supportsSyncHooks()) {
    // In-thread hooks (module.registerHooks): no loader thread, no message channel.
    sync.register({ include });
    return 'sync';
  }
  // Older 22.x: the off-thread loader. Hook() calls made later by the
  // instrumentations reach it over the message channel.
  const iitm = fromInstrumentation('import-in-the-middle') as MessageChannelHooks;
  const { registerOptions } = iitm.createAddHookMessageChannel();
  const hookUrl = pathToFileURL(fromInstrumentation.resolve('import-in-the-middle/hook.mjs')).href;
  const options = registerOptions as { data?: { include?: string[] } };
  options.data = { ...(options.data ?? {}), include };
  registerAsyncLoader(hookUrl, import.meta.url, registerOptions);
  return 'async';
}
