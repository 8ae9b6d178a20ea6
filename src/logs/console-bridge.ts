// The console bridge: console.log/info/warn/error/debug/trace become log records
// at design.md's levels (log, info -> info; warn -> warn; error -> error; debug ->
// debug; trace -> debug with the stack), exported with trace ids, and printed to
// the same stream as before (stdout, or stderr for warn/error/trace) in the
// logger's format instead of the raw text: one line out for one call, never two.
//
// console.table, console.count, console.assert and console.group call
// this.log / this.warn internally, so they come through here and keep working;
// the group depth indents pretty lines. console.dir writes directly and is left as is.

import type { LevelName } from './levels.js';
import { type StreamName, logDirect } from './direct.js';
import { fromConsoleArgs } from './record.js';

type Method = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';
const ROUTES: Record<Method, [LevelName, StreamName]> = {
  log: ['info', 'stdout'],
  info: ['info', 'stdout'],
  warn: ['warn', 'stderr'],
  error: ['error', 'stderr'],
  debug: ['debug', 'stdout'],
  trace: ['debug', 'stderr'],
};
const GROUP_METHODS = ['group', 'groupCollapsed', 'groupEnd'] as const;

export const CONSOLE_LOGGER = 'console';

interface BridgeState {
  originals: Partial<Record<Method | (typeof GROUP_METHODS)[number], (...args: unknown[]) => void>>;
  depth: number;
}

// On a Symbol.for global: the ESM and CJS builds must not both wrap console.
const KEY = Symbol.for('callscope.logs.console-bridge');
const holder = globalThis as { [KEY]?: BridgeState };

export function isConsoleBridgeInstalled(): boolean {
  return holder[KEY] !== undefined;
}

export function installConsoleBridge(): void {
  if (holder[KEY]) return;
  const bridge: BridgeState = { originals: {}, depth: 0 };
  holder[KEY] = bridge;
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  let busy = false;

  for (const method of Object.keys(ROUTES) as Method[]) {
    const original = target[method]!;
    bridge.originals[method] = original;
    const [level, stream] = ROUTES[method];
    target[method] = function bridged(this: unknown, ...args: unknown[]) {
      // Re-entered from inside a record (a format, a hook on stdout, an
      // exporter's diagnostics): print the plain way, never loop back.
      if (busy) return original.apply(console, args);
      busy = true;
      try {
        const { message, err } = fromConsoleArgs(args);
        const fields: Record<string, unknown> = err === undefined ? {} : { err };
        // console.trace: Node prints "Trace: message" and the caller's stack.
        if (method === 'trace') fields.stack = stackOfCaller(bridged);
        logDirect(CONSOLE_LOGGER, level, method === 'trace' ? `Trace: ${message}` : message, fields, { stream, indent: bridge.depth });
      } finally {
        busy = false;
      }
    };
  }

  for (const method of GROUP_METHODS) {
    const original = target[method]!;
    bridge.originals[method] = original;
    target[method] = function (this: unknown, ...args: unknown[]) {
      if (method === 'groupEnd') bridge.depth = Math.max(0, bridge.depth - 1);
      original.apply(console, args); // prints the label through the bridged console.log
      if (method !== 'groupEnd') bridge.depth++;
    };
  }
}

/** Puts the original console methods back (tests, and shutdown of a start()ed callscope). */
export function uninstallConsoleBridge(): void {
  const bridge = holder[KEY];
  if (!bridge) return;
  Object.assign(console, bridge.originals);
  delete holder[KEY];
}

function stackOfCaller(fn: (...args: never[]) => unknown): string {
  const holderObject: { stack?: string } = {};
  Error.captureStackTrace(holderObject, fn);
  return (holderObject.stack ?? '').split('\n').slice(1).join('\n');
}
