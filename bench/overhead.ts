// Request throughput of an ESM HTTP server that makes one outbound fetch per
// request: bare node against callscope's preload and the plain OpenTelemetry
// register, same machine, same run, variants alternating round by round.
// Telemetry is exported to a local sink that accepts and discards OTLP, so
// export cost is included (the sink runs in its own process). Usage: node bench/overhead.ts [rounds=3] [seconds=5]
// Writes bench/results/overhead.md. Needs bench/startup.ts to have prepared
// the app directory (it installs the packed package there).

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(tmpdir(), 'callscope-bench-startup');
const ROUNDS = Number(process.argv[2] ?? 3);
const SECONDS = Number(process.argv[3] ?? 5);

const VARIANTS = [
  { name: 'bare node', args: ['server.mjs'] },
  { name: 'callscope/register', args: ['--import', 'callscope/register', 'server.mjs'] },
  { name: '@opentelemetry/auto-instrumentations-node/register', args: ['--import', '@opentelemetry/auto-instrumentations-node/register', 'server.mjs'] },
  // Without the ESM loader hook the plain register makes no server spans for this ESM app (only the
  // fetch spans): with the hook it makes the same spans callscope does, which is the fair comparison.
  {
    name: 'the same, with its ESM hook (--experimental-loader=@opentelemetry/instrumentation/hook.mjs)',
    args: ['--experimental-loader=@opentelemetry/instrumentation/hook.mjs', '--import', '@opentelemetry/auto-instrumentations-node/register', 'server.mjs'],
  },
];

if (!existsSync(join(WORK, 'node_modules/callscope'))) throw new Error('run `node bench/startup.ts` first: it prepares the app directory');

async function startProcess(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, args, { cwd: WORK, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.setEncoding('utf8');
  for await (const chunk of child.stdout!) {
    out += chunk;
    const match = /listening (\d+)/.exec(out);
    if (match) return { child, port: Number(match[1]) };
  }
  throw new Error(`${args.join(' ')} exited: ${out}`);
}

const sink = await startProcess([join(ROOT, 'bench/apps/otlp-sink.mjs')], {});
const sinkUrl = `http://127.0.0.1:${sink.port}`;
const upstream = await startProcess([join(ROOT, 'bench/apps/upstream.mjs')], {});
const results = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
const cpuPerRequest = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));

/** User + system CPU seconds of a process, from /proc (Linux; NaN elsewhere): steadier than requests/s on a shared box. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of VARIANTS) {
      const app = await startProcess(variant.args, {
        UPSTREAM_URL: `http://127.0.0.1:${upstream.port}/`,
        OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
        OTEL_LOG_LEVEL: 'none',
      });
      try {
        const url = `http://127.0.0.1:${app.port}/`;
        await autocannon({ url, connections: 10, duration: 1 }); // warm-up
        const cpuBefore = cpuSeconds(app.child.pid);
        const result = await autocannon({ url, connections: 10, duration: SECONDS });
        results.get(variant.name)!.push(result.requests.average);
        cpuPerRequest.get(variant.name)!.push(((cpuSeconds(app.child.pid) - cpuBefore) * 1e6) / result.requests.total);
      } finally {
        app.child.kill('SIGKILL');
      }
    }
  }
} finally {
  upstream.child.kill('SIGKILL');
  sink.child.kill('SIGKILL');
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const bare = median(results.get('bare node')!);
const lines = [
  '# Throughput overhead',
  '',
  `Command: \`node bench/overhead.ts ${ROUNDS} ${SECONDS}\` (Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}; autocannon, 10 connections, ${SECONDS} s per run, ${ROUNDS} alternating rounds, median requests/s).`,
  'App: ESM HTTP server, one outbound fetch to a local upstream per request; telemetry exported to a local OTLP sink.',
  '',
  '| variant | requests/s | of bare | app CPU per request (µs) |',
  '|---|---:|---:|---:|',
  ...VARIANTS.map((v) => {
    const value = median(results.get(v.name)!);
    return `| ${v.name} | ${value.toFixed(0)} | ${((value / bare) * 100).toFixed(0)}% | ${median(cpuPerRequest.get(v.name)!).toFixed(0)} |`;
  }),
  '',
];
writeFileSync(join(ROOT, 'bench/results/overhead.md'), lines.join('\n'));
console.log(lines.join('\n'));
