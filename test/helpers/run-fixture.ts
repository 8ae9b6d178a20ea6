// Runs a fixture app as a child process the way users run their servers
// (`node --import callscope/register app.mjs`), with the OTLP endpoint pointed
// at a test receiver. Every child is killed when the test ends, pass or fail.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface FixtureOptions {
  /** Arguments after `node`, e.g. ['--import', 'callscope/register', 'app.mjs']. */
  args: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Kill the child (SIGKILL) if it runs longer than this. */
  timeoutMs?: number;
  /** Node binary; defaults to the one running the tests (Node 24). */
  node?: string;
}

export interface FixtureResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export class Fixture {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  timedOut = false;
  readonly exited: Promise<FixtureResult>;

  constructor(options: FixtureOptions) {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...baseEnv(), ...options.env })) if (value !== undefined) env[key] = value;
    this.child = spawn(options.node ?? process.execPath, options.args, { cwd: options.cwd ?? FIXTURES, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(this.child);
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    const timer = setTimeout(() => {
      this.timedOut = true;
      this.child.kill('SIGKILL');
    }, options.timeoutMs ?? 20000);
    this.exited = once(this.child, 'close').then(([code, signal]) => {
      clearTimeout(timer);
      running.delete(this.child);
      return { code, signal, stdout: this.stdout, stderr: this.stderr, timedOut: this.timedOut } as FixtureResult;
    });
  }

  /** Resolves when stdout contains `text` (e.g. a "listening" line); rejects if the child exits first. */
  async waitForOutput(text: string | RegExp, timeoutMs = 15000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = typeof text === 'string' ? (this.stdout.includes(text) ? text : null) : this.stdout.match(text)?.[0];
      if (match) return match;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`fixture exited before printing ${text}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`fixture did not print ${text} within ${timeoutMs} ms\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/** Starts a fixture and waits for it to exit. */
export function runFixture(options: FixtureOptions): Promise<FixtureResult> {
  return new Fixture(options).exited;
}

/** The parent's environment without anything that would change the child's telemetry setup. */
function baseEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('OTEL_') || key.startsWith('CALLSCOPE_') || key === 'NODE_OPTIONS' || key.startsWith('NODE_TEST')) continue;
    env[key] = value;
  }
  // Short export delays, so tests wait milliseconds, not seconds.
  env.OTEL_BSP_SCHEDULE_DELAY = '100';
  env.OTEL_BLRP_SCHEDULE_DELAY = '100';
  env.OTEL_METRIC_EXPORT_INTERVAL = '500';
  return env;
}
