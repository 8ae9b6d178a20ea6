// Child processes continue the parent's trace: spawn/fork/exec/execFile get
// TRACEPARENT/TRACESTATE of the active span in the child's environment, and a
// `node` child started with spawn/exec/execFile (which, unlike fork, does not
// inherit execArgv) gets our preload in NODE_OPTIONS, so it is traced too. The
// child's EnvContextManager picks the variables up. Patched once at start,
// restored at shutdown; on any problem the original call runs untouched.

import { createRequire, syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';
import { envCarrier } from './carrier.js';

type Fn = (...args: unknown[]) => unknown;
const PATCHED = ['spawn', 'fork', 'exec', 'execFile'] as const;

/** The preload flags this process was started with (`--import callscope/register` …), to hand to node children. */
export function preloadFlags(execArgv: readonly string[] = process.execArgv): string[] {
  const flags: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!['--import', '--require', '-r'].includes(flag)) continue;
    const value = inline ?? execArgv[i + 1];
    if (inline === undefined) i++;
    if (value?.includes('callscope')) flags.push(`${flag}=${value}`);
  }
  return flags;
}

function isNodeCommand(name: string, command: unknown): boolean {
  if (name === 'fork' || typeof command !== 'string') return false;
  const program = name === 'exec' ? command.trim().split(/\s+/)[0] ?? '' : command;
  return program === process.execPath || basename(program) === 'node';
}

/** Returns the args with an options object whose env carries the trace context (and the preload for node). */
function withCarrier(name: string, args: unknown[]): unknown[] {
  const carrier = envCarrier();
  const preload = isNodeCommand(name, args[0]) ? preloadFlags() : [];
  if (Object.keys(carrier).length === 0 && preload.length === 0) return args;
  const copy = [...args];
  const index = name !== 'exec' && Array.isArray(copy[1]) ? 2 : 1;
  const given = copy[index];
  const hasOptions = given !== null && typeof given === 'object';
  const options = (hasOptions ? { ...given } : {}) as { env?: Record<string, string | undefined> };
  const env = { ...(options.env ?? process.env), ...carrier };
  const nodeOptions = env.NODE_OPTIONS ?? '';
  if (preload.length > 0 && !nodeOptions.includes('callscope')) env.NODE_OPTIONS = `${nodeOptions} ${preload.join(' ')}`.trim();
  options.env = env;
  if (hasOptions || given === null) copy[index] = options;
  else if (name === 'exec') copy.splice(1, 0, options); // exec(cmd, cb?) -> exec(cmd, options, cb?)
  else {
    // spawn(cmd) / execFile(file, cb) -> (cmd, [], options, cb?): positions kept.
    if (index === 1) copy.splice(1, 0, []);
    copy.splice(2, 0, options);
  }
  return copy;
}

/** Patches child_process; returns the undo. Never throws: without the patch, children just start new traces. */
export function installChildProcessCarrier(): () => void {
  try {
    return patchChildProcess();
  } catch {
    return () => {};
  }
}

function patchChildProcess(): () => void {
  const childProcess = createRequire(import.meta.url)('node:child_process') as Record<string, Fn>;
  const originals = new Map<string, Fn>();
  for (const name of PATCHED) {
    const original = childProcess[name];
    if (typeof original !== 'function') continue;
    originals.set(name, original);
    childProcess[name] = function (this: unknown, ...args: unknown[]) {
      let patched = args;
      try {
        patched = withCarrier(name, args);
      } catch {
        patched = args;
      }
      return original.apply(this, patched);
    };
  }
  // ESM `import { spawn } from 'node:child_process'` sees the patched functions too.
  syncBuiltinESMExports();
  return () => {
    for (const [name, original] of originals) childProcess[name] = original;
    syncBuiltinESMExports();
  };
}
