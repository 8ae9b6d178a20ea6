// The child_process carrier on every call shape (options or not, callback or
// not): the child sees TRACEPARENT of the active span, and a `node` child gets
// the preload flags in NODE_OPTIONS. Real child processes; the test process
// patches its own child_process module (and restores it).

import assert from 'node:assert/strict';
import * as childProcess from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { installChildProcessCarrier, preloadFlags } from '../src/context/child-process.ts';

const SPAN = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
const TRACEPARENT = `00-${SPAN.traceId}-${SPAN.spanId}-01`;
const PRINT = 'process.stdout.write(String(process.env.TRACEPARENT) + "|" + (process.env.KEEP ?? ""))';
let uninstall: () => void;

before(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  uninstall = installChildProcessCarrier();
});
after(() => {
  uninstall();
  context.disable();
});

const inSpan = <T>(fn: () => T): T => context.with(trace.setSpanContext(context.active(), SPAN), fn);
const output = async (child: childProcess.ChildProcess) => {
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  await once(child, 'close');
  return out;
};

describe('child_process carrier', () => {
  test('spawn without options, with args', async () => {
    assert.equal(await output(inSpan(() => childProcess.spawn(process.execPath, ['-e', PRINT]))), `${TRACEPARENT}|`);
  });

  test('spawn with options keeps the given env', async () => {
    const child = inSpan(() => childProcess.spawn(process.execPath, ['-e', PRINT], { env: { ...process.env, KEEP: 'yes' } }));
    assert.equal(await output(child), `${TRACEPARENT}|yes`);
  });

  test('exec(command, callback)', async () => {
    const out = await new Promise<string>((resolve, reject) => inSpan(() => childProcess.exec(`"${process.execPath}" -e '${PRINT}'`, (error, stdout) => (error ? reject(error) : resolve(stdout)))));
    assert.equal(out, `${TRACEPARENT}|`);
  });

  test('execFile(file, args, callback) and execFile(file, args, options, callback)', async () => {
    const run = (options?: childProcess.ExecFileOptions) => new Promise<string>((resolve, reject) => inSpan(() => {
      const done = (error: Error | null, stdout: string | Buffer) => (error ? reject(error) : resolve(String(stdout)));
      if (options) childProcess.execFile(process.execPath, ['-e', PRINT], options, done);
      else childProcess.execFile(process.execPath, ['-e', PRINT], done);
    }));
    assert.equal(await run(), `${TRACEPARENT}|`);
    assert.equal(await run({ env: { ...process.env, KEEP: 'kept' } }), `${TRACEPARENT}|kept`);
  });

  test('outside any span nothing is added', async () => {
    const child = childProcess.spawn(process.execPath, ['-e', PRINT], { env: { PATH: process.env.PATH } });
    assert.equal(await output(child), 'undefined|');
  });

  test('preload flags are found in execArgv', () => {
    assert.deepEqual(preloadFlags(['--import', 'callscope/register', '--max-old-space-size=100', '-r', 'dotenv/config', '--require=callscope/register']),
      ['--import=callscope/register', '--require=callscope/register']);
  });
});
