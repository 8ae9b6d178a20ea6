// Child processes of one e2e test file. Every process runs in its own process group, listens on
// 127.0.0.1 only, logs to a file, and is stopped at the end, also when a test fails or the runner dies.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const live = new Set(); // every child of this node process, for the exit hook below
process.on('exit', () => {
  for (const c of live) killGroup(c, 'SIGKILL'); // last resort: the runner is going away
});
// Our children run in their own process groups, so a Ctrl-C or a CI timeout does not reach them:
// pass it on, then die of the same signal.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    for (const c of live) killGroup(c, 'SIGKILL');
    process.kill(process.pid, sig);
  });
}

function killGroup(child, sig) {
  try {
    process.kill(-child.pid, sig); // negative pid: the whole group (e.g. moto's workers)
  } catch {
    /* already gone */
  }
}

/**
 * n distinct free TCP ports on 127.0.0.1. All n listeners are held open together, because a port just
 * closed is often handed out again by the next listen(0). (A tiny race with other programs remains.)
 */
export async function freePorts(n) {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.on('error', reject);
      srv.listen(0, '127.0.0.1', () => resolve(srv));
    })),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
export const freePort = async () => (await freePorts(1))[0];

export class Procs {
  constructor(label) {
    // Logs outside the repo; kept after the run so a failure can be read.
    this.logDir = fs.mkdtempSync(path.join(os.tmpdir(), `callscope-e2e-${label}-`));
    this.children = new Map();
  }

  start(name, cmd, args, { env = {}, cwd } = {}) {
    const logPath = path.join(this.logDir, `${name}.log`);
    const fd = fs.openSync(logPath, 'w');
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', fd, fd],
      detached: true, // own process group, so stop() reaches grandchildren too
    });
    fs.closeSync(fd);
    child.exitInfo = null;
    child.on('exit', (code, signal) => {
      child.exitInfo = { code, signal };
      live.delete(child);
    });
    child.on('error', (err) => {
      child.exitInfo = { error: err.message };
      live.delete(child);
    });
    live.add(child);
    this.children.set(name, { child, logPath });
    return child;
  }

  log(name, lines = 40) {
    const entry = this.children.get(name);
    if (!entry) return '';
    const text = fs.readFileSync(entry.logPath, 'utf8').trimEnd().split('\n');
    return `--- last ${lines} lines of ${entry.logPath}\n${text.slice(-lines).join('\n')}`;
  }

  /** Polls check() until it returns a truthy value; fails at once if the process died. */
  async ready(name, check, { timeoutMs = 60_000, intervalMs = 250 } = {}) {
    const { child } = this.children.get(name);
    const deadline = Date.now() + timeoutMs;
    let lastErr;
    while (Date.now() < deadline) {
      if (child.exitInfo) throw new Error(`${name} exited ${JSON.stringify(child.exitInfo)}\n${this.log(name)}`);
      try {
        const v = await check();
        if (v) return v;
      } catch (err) {
        lastErr = err;
      }
      await sleep(intervalMs);
    }
    throw new Error(`${name} not ready after ${timeoutMs} ms (${lastErr?.message ?? 'no answer'})\n${this.log(name)}`);
  }

  /** SIGTERM (lets a collector flush), then SIGKILL after graceMs. */
  async stop(name, graceMs = 5000) {
    const entry = this.children.get(name);
    if (!entry) return;
    const { child } = entry;
    if (!child.exitInfo) {
      const exited = new Promise((r) => child.once('exit', r));
      killGroup(child, 'SIGTERM');
      const t = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    }
    this.children.delete(name);
  }

  async stopAll() {
    // Collectors first (they may still be exporting to jaeger/moto), then the rest.
    const names = [...this.children.keys()].sort((a, b) => rank(a) - rank(b));
    for (const n of names) await this.stop(n);
  }
}
const rank = (n) => (n.startsWith('agent') ? 0 : n.startsWith('collector') || n.startsWith('gateway') ? 1 : 2);

/** Retries fn until it returns a truthy value (data arrives asynchronously through batches). */
export async function eventually(fn, { timeoutMs = 30_000, intervalMs = 500, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
}
