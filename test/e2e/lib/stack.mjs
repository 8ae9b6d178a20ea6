// Starts the real pieces of the pipeline on free 127.0.0.1 ports: Jaeger v2, moto (the AWS endpoint)
// and our collector binary with any of the repo's configs. Binaries come from test/e2e/setup.sh.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, freePorts } from './procs.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const repoPath = (p) => path.resolve(ROOT, p); // absolute paths pass through

let bins;
/** Paths of the built binaries; runs setup.sh, which is a few stat calls once everything is cached. */
export function binaries() {
  if (bins) return bins;
  const out = execFileSync('bash', [repoPath('test/e2e/setup.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  bins = Object.fromEntries(out.trim().split('\n').filter((l) => l.includes('=')).map((l) => l.split(/=(.*)/s).slice(0, 2)));
  return bins;
}

/** Dummy credentials and a region: the AWS SDKs in the collector and in boto3 need them, moto ignores them. */
export const AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true', // the SDKs never look for an instance role off-box
};

/**
 * A fixture app under `node --import callscope/register` (the runner's Node, so Node 24); resolves to the
 * port it prints as `listening <port>`.
 */
export async function startRegisteredApp(procs, name, entry, env) {
  procs.start(name, process.execPath, ['--import', 'callscope/register', repoPath(entry)], {
    cwd: repoPath('.'), // `callscope` resolves to this package by self-reference
    env,
  });
  return procs.ready(name, () => fs.readFileSync(procs.children.get(name).logPath, 'utf8').match(/listening (\d+)/)?.[1], { timeoutMs: 30_000 });
}

export async function startJaeger(procs, name = 'jaeger') {
  const [query, queryGrpc, otlpGrpc] = await freePorts(3);
  const ports = { query, queryGrpc, otlpGrpc };
  procs.start(name, binaries().JAEGER, ['--config', repoPath('test/e2e/jaeger.yaml')], {
    env: {
      JAEGER_QUERY_PORT: String(ports.query),
      JAEGER_QUERY_GRPC_PORT: String(ports.queryGrpc),
      JAEGER_OTLP_GRPC_PORT: String(ports.otlpGrpc),
    },
  });
  const queryUrl = `http://127.0.0.1:${ports.query}`;
  await procs.ready(name, async () => (await fetch(`${queryUrl}/api/services`)).ok);
  return { queryUrl, otlpGrpc: `127.0.0.1:${ports.otlpGrpc}` };
}

export async function startMoto(procs, name = 'moto') {
  const port = await freePort();
  procs.start(name, binaries().MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], { env: AWS_ENV });
  const endpoint = `http://127.0.0.1:${port}`;
  await procs.ready(name, async () => (await fetch(`${endpoint}/moto-api/`)).ok);
  return { endpoint };
}

/**
 * Our collector with the given config files (repo-relative, later ones layered on earlier ones) and
 * environment. All of its listeners get free ports.
 */
export async function startCollector(procs, { name = 'collector', configs = ['otel-collector.yaml'], env = {} }) {
  const [grpc, http, health, zpages, metrics] = await freePorts(5);
  const ports = { grpc, http, health, zpages, metrics };
  const args = configs.flatMap((c) => ['--config', repoPath(c)]);
  procs.start(name, binaries().OTELCOL, args, {
    env: {
      CALLSCOPE_OTLP_GRPC_ENDPOINT: `127.0.0.1:${ports.grpc}`,
      CALLSCOPE_OTLP_HTTP_ENDPOINT: `127.0.0.1:${ports.http}`,
      CALLSCOPE_HEALTH_ENDPOINT: `127.0.0.1:${ports.health}`,
      CALLSCOPE_ZPAGES_ENDPOINT: `127.0.0.1:${ports.zpages}`,
      CALLSCOPE_COLLECTOR_METRICS_PORT: String(ports.metrics),
      CALLSCOPE_RESOURCE_DETECTORS: '[env]', // never probe the EC2 metadata address from a test
      CALLSCOPE_TAIL_DECISION_WAIT: '2s',
      ...env,
    },
  });
  // health_check answers 200 only once every pipeline has started.
  await procs.ready(name, async () => (await fetch(`http://127.0.0.1:${ports.health}/`)).ok);
  return { otlpHttp: `http://127.0.0.1:${ports.http}`, otlpGrpc: `127.0.0.1:${ports.grpc}`, metricsUrl: `http://127.0.0.1:${ports.metrics}/metrics` };
}

/**
 * `otelcol validate` for a list of layered configs; returns { ok, output }. Validation creates the
 * exporters, and an AWS exporter without a region asks the EC2 metadata address for one: the dummy
 * region (and the SDK switch that turns metadata off) keep it on this machine.
 */
export function validate(configs, env = {}) {
  const args = ['validate', ...configs.flatMap((c) => ['--config', repoPath(c)])];
  const r = spawnSync(binaries().OTELCOL, args, { encoding: 'utf8', env: { ...process.env, ...AWS_ENV, CALLSCOPE_RESOURCE_DETECTORS: '[env]', ...env }, timeout: 60_000 });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

// ---- reading back ----

/** Jaeger query API: traces of a service, optionally filtered by span tags. */
export async function jaegerTraces(queryUrl, service, tags) {
  const q = new URLSearchParams({ service, limit: '1000', lookback: '1h' });
  if (tags) q.set('tags', JSON.stringify(tags));
  const res = await fetch(`${queryUrl}/api/traces?${q}`);
  if (!res.ok) throw new Error(`jaeger /api/traces -> ${res.status}`);
  return (await res.json()).data ?? [];
}

export async function jaegerTrace(queryUrl, id) {
  const res = await fetch(`${queryUrl}/api/traces/${id}`);
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`jaeger /api/traces/${id} -> ${res.status}`);
  return (await res.json()).data?.[0] ?? null;
}

export const tagsOf = (jaegerSpan) => Object.fromEntries(jaegerSpan.tags.map((t) => [t.key, t.value]));

/** One AWS API call against moto through boto3 (in moto's venv). */
export function aws(endpoint, service, operation, params = {}) {
  const r = spawnSync(binaries().MOTO_PYTHON, [repoPath('test/e2e/lib/aws_read.py'), endpoint, service, operation, JSON.stringify(params)], {
    encoding: 'utf8',
    env: { ...process.env, ...AWS_ENV },
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`${service}.${operation} failed: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout);
}

/** The fully resolved config (files layered, ${env:…} expanded) as the collector sees it. */
export function printConfig(configs, env = {}) {
  const args = ['print-config', '--validate=false', '--format=json', ...configs.flatMap((c) => ['--config', repoPath(c)])];
  const r = spawnSync(binaries().OTELCOL, args, { encoding: 'utf8', env: { ...process.env, ...AWS_ENV, ...env }, timeout: 60_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}
