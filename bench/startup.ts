// Start-up cost: bare `node server.mjs` against callscope's preload and the
// plain OpenTelemetry register, in a fresh app that installs callscope from
// `npm pack` (as users do) next to @opentelemetry/auto-instrumentations-node.
// Variants alternate within each round so machine noise hits all alike; we
// report medians. Usage: node bench/startup.ts [rounds=7]
// Writes bench/results/startup.md and startup.json.

import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Outside the repo: the repo's own node_modules (aws-sdk, express, … for the
// tests) would make callscope load those instrumentations too.
const WORK = join(tmpdir(), 'callscope-bench-startup');
const ROUNDS = Number(process.argv[2] ?? 7);
const OTEL_AUTO = '@opentelemetry/auto-instrumentations-node@0.82.0';

const VARIANTS: { name: string; args: string[] }[] = [
  { name: 'bare node', args: ['server.mjs'] },
  { name: 'callscope/register', args: ['--import', 'callscope/register', 'server.mjs'] },
  { name: '@opentelemetry/auto-instrumentations-node/register', args: ['--import', '@opentelemetry/auto-instrumentations-node/register', 'server.mjs'] },
];

function npm(args: string[], cwd: string): string {
  const npmBin = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
  const cli = join(dirname(realpathSync(npmBin)), 'npm-cli.js');
  return execFileSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } });
}

function prepare(): void {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  if (!existsSync(join(ROOT, 'dist/register.js'))) throw new Error('run `npm run build` first');
  const tarball = npm(['pack', '--pack-destination', WORK], ROOT).trim().split('\n').at(-1)!;
  writeFileSync(join(WORK, 'package.json'), JSON.stringify({ name: 'startup-bench-app', version: '1.0.0', private: true }));
  copyFileSync(join(ROOT, 'bench/apps/server.mjs'), join(WORK, 'server.mjs'));
  npm(['install', `./${tarball}`, OTEL_AUTO, '--no-audit', '--no-fund', '--prefer-offline'], WORK);
}

interface Sample { ms: number; rssMiB: number }

/** Spawn-to-"listening" wall time, and the app's own peak RSS at that moment. */
function measure(args: string[]): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_LOG_LEVEL: 'none', OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
    const child = spawn(process.execPath, args, { cwd: WORK, env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /listening \d+ (\d+)/.exec(out);
      if (!match) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve({ ms, rssMiB: Number(match[1]) / 1024 });
    });
    child.on('exit', () => reject(new Error(`${args.join(' ')} exited before listening: ${out}`)));
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

prepare();
const samples = new Map<string, Sample[]>(VARIANTS.map((v) => [v.name, []]));
for (const variant of VARIANTS) await measure(variant.args); // warm the OS file cache once
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of VARIANTS) samples.get(variant.name)!.push(await measure(variant.args));
}

const rows = VARIANTS.map((variant) => {
  const list = samples.get(variant.name)!;
  return { name: variant.name, ms: median(list.map((s) => s.ms)), rssMiB: median(list.map((s) => s.rssMiB)), runs: list.length };
});
const bare = rows[0]!;
const lines = [
  '# Start-up benchmark',
  '',
  `Command: \`node bench/startup.ts ${ROUNDS}\` (Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}, ${ROUNDS} alternating rounds, medians).`,
  'Time: spawn until the ESM HTTP server prints that it listens. RSS: the process peak (maxRSS) at that moment.',
  '',
  '| variant | start-up ms | over bare | peak RSS MiB | over bare |',
  '|---|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.name} | ${r.ms.toFixed(0)} | +${(r.ms - bare.ms).toFixed(0)} | ${r.rssMiB.toFixed(1)} | +${(r.rssMiB - bare.rssMiB).toFixed(1)} |`),
  '',
  'Target (issue 2): callscope adds at most 150 ms and 25 MiB over bare node.',
  '',
];
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/startup.md'), lines.join('\n'));
writeFileSync(join(ROOT, 'bench/results/startup.json'), JSON.stringify({ node: process.versions.node, rounds: ROUNDS, rows, samples: Object.fromEntries(samples) }, null, 2) + '\n');
console.log(lines.join('\n'));
