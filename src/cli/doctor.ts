// `callscope doctor`: what would happen if this app started under the preload,
// checked from the app's directory and environment: Node version, settings
// (with every warning), which instrumentations load, the ESM hook mode, and
// whether the collector answers an (empty) OTLP export. Exit 0 when all is
// well, 1 when something needs fixing.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { resolveConfig } from '../config.js';
import { selectInstrumentations } from '../instrumentations.js';
import { VERSION } from '../state.js';

const MINIMUM_NODE = [22, 15] as const;

export async function doctor(args: string[]): Promise<number> {
  const unknown = args.filter((arg) => arg !== '--no-network');
  if (unknown.length > 0) {
    process.stderr.write(`callscope doctor: unknown option ${unknown[0]}\nusage: callscope doctor [--no-network]\n`);
    return 2;
  }
  const lines: [string, string][] = [];
  let problems = 0;
  const problem = (label: string, text: string) => {
    problems++;
    lines.push([label, `PROBLEM: ${text}`]);
  };

  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const nodeOk = major > MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor >= MINIMUM_NODE[1]);
  if (nodeOk) lines.push(['node', `${process.version} (>= ${MINIMUM_NODE.join('.')} required)`]);
  else problem('node', `${process.version} is older than ${MINIMUM_NODE.join('.')}, which current OpenTelemetry JS requires`);

  const config = resolveConfig();
  if (config.disabled) lines.push(['telemetry', 'OFF (OTEL_SDK_DISABLED=true): the preload does nothing']);
  lines.push(['service.name', config.serviceName]);
  for (const signal of ['traces', 'metrics', 'logs'] as const) {
    lines.push([`export ${signal}`, `${config.export[signal].url} (${config.export[signal].protocol})`]);
  }
  lines.push(['sampler', config.sampler.includes('ratio') ? `${config.sampler} ${config.samplerRatio}` : config.sampler]);
  lines.push(['instrumentations', selectInstrumentations(config).map((spec) => spec.name).join(', ') || 'none']);
  for (const warning of config.warnings) problem('setting', warning);

  if (!args.includes('--no-network') && !config.disabled) {
    const target = config.export.traces;
    const outcome = await tryExport(target.url, target.protocol, target.headers, Math.min(target.timeoutMs, 5000));
    if (outcome.ok) lines.push(['collector', `reachable: ${outcome.text}`]);
    else problem('collector', `${target.url}: ${outcome.text}`);
  }

  const width = Math.max(...lines.map(([label]) => label.length));
  process.stdout.write(`callscope doctor ${VERSION}\n`);
  for (const [label, text] of lines) process.stdout.write(`  ${label.padEnd(width)}  ${text}\n`);
  process.stdout.write(problems === 0 ? 'all good\n' : `${problems} problem(s)\n`);
  return problems === 0 ? 0 : 1;
}

/**
 * Sends an empty trace export (valid OTLP in both encodings) with node:http(s),
 * as the exporters do (fetch would refuse some ports the exporters accept).
 */
function tryExport(url: string, protocol: string, headers: Record<string, string>, timeoutMs: number): Promise<{ ok: boolean; text: string }> {
  const json = protocol === 'http/json';
  const body = json ? '{}' : '';
  const started = Date.now();
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const request = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': json ? 'application/json' : 'application/x-protobuf', 'content-length': Buffer.byteLength(body) },
      timeout: timeoutMs,
    }, (response) => {
      response.resume();
      response.on('end', () => {
        const took = `${Date.now() - started} ms`;
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve({ ok: true, text: `an empty export was accepted (HTTP ${status}, ${took})` });
        else resolve({ ok: false, text: `the collector answered HTTP ${status} to an empty export (${took}); check the endpoint path and headers` });
      });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, text: `not reachable (${error.code ?? error.message})` }));
    request.end(body);
  });
}
