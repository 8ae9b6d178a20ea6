// What the user sees on stderr, and that the app always runs: bad settings give
// one warning each and the app starts anyway; OTEL_SDK_DISABLED makes the
// preload a no-op; an unreachable collector is reported once per outage; the
// programmatic API works from ESM and CJS with env over code.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { Fixture, runFixture } from './helpers/run-fixture.ts';
import { OtlpReceiver } from './helpers/otlp-receiver.ts';
import { useTestServers } from './helpers/servers.ts';

const servers = useTestServers();

/** Runs http-app.mjs for one request and returns its result. */
async function oneRequest(env: Record<string, string>) {
  const app = new Fixture({
    args: ['--import', 'callscope/register', 'http-app.mjs'],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: servers.receiver.url, UPSTREAM_URL: servers.upstream.url, FIXTURE_REQUESTS: '1', ...env },
  });
  try {
    const port = (await app.waitForOutput(/listening \d+/)).split(' ')[1];
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'fetch=200 request=200');
    return await app.exited;
  } finally {
    app.kill();
  }
}

const warnings = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('callscope: warning:'));

describe('diagnostics', () => {
  test('bad configuration: one warning per bad value, the app starts and telemetry still flows', async () => {
    const service = 'diag-bad-config';
    const result = await oneRequest({
      OTEL_SERVICE_NAME: service,
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_BSP_MAX_QUEUE_SIZE: 'lots',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-good=1,broken',
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,undici,not-a-thing',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'smoke-signals',
    });
    assert.equal(result.code, 0, result.stderr);
    const lines = warnings(result.stderr);
    assert.equal(lines.length, 5, result.stderr);
    for (const variable of ['OTEL_TRACES_SAMPLER', 'OTEL_BSP_MAX_QUEUE_SIZE', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_NODE_ENABLED_INSTRUMENTATIONS', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']) {
      assert.equal(lines.filter((line) => line.includes(variable)).length, 1, `one warning about ${variable}`);
    }
    await servers.receiver.waitFor((r) => r.spans.filter((s) => s.resource['service.name'] === service).length >= 3, 10000, 'spans');
    const request = servers.receiver.requests.find((r) => r.path === '/v1/traces' && r.headers['x-good'] === '1');
    assert.ok(request, 'the well-formed header was still sent');
  });

  test('a malformed endpoint falls back to the default and the app still answers', async () => {
    const result = await oneRequest({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http//nope', OTEL_SERVICE_NAME: 'diag-bad-endpoint', CALLSCOPE_SHUTDOWN_TIMEOUT_MS: '1000', OTEL_EXPORTER_OTLP_TIMEOUT: '1000' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /callscope: warning: OTEL_EXPORTER_OTLP_ENDPOINT: "http\/\/nope" is not a valid URL; using http:\/\/localhost:4318/);
  });

  test('OTEL_SDK_DISABLED=true: no telemetry, no start-up line, the app works', async () => {
    const before = servers.receiver.requests.length;
    const result = await oneRequest({ OTEL_SDK_DISABLED: 'true', OTEL_SERVICE_NAME: 'diag-disabled' });
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(servers.receiver.requests.length, before, 'nothing was exported');
    assert.equal(servers.upstream.requests.at(-1)?.headers.traceparent, undefined, 'no context was propagated');
  });

  test('an unreachable collector: one warning for the outage, one when it is back', async () => {
    // A port that was free a moment ago: nothing listens there until we say so.
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as { port: number }).port;
    probe.close();
    await once(probe, 'close');

    const app = new Fixture({
      args: ['--import', 'callscope/register', 'signal-app.mjs'],
      env: {
        OTEL_SERVICE_NAME: 'diag-outage', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, UPSTREAM_URL: servers.upstream.url,
        OTEL_METRIC_EXPORT_INTERVAL: '200', OTEL_EXPORTER_OTLP_TIMEOUT: '500',
      },
    });
    let late: OtlpReceiver | undefined;
    try {
      const appPort = (await app.waitForOutput(/listening \d+/)).split(' ')[1];
      for (let i = 0; i < 5; i++) assert.equal(await (await fetch(`http://127.0.0.1:${appPort}/`)).text(), 'ok');
      // Several span batches and metric exports fail meanwhile (200 ms metric interval).
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const down = warnings(app.stderr).filter((line) => line.includes('cannot export'));
      assert.equal(down.length, 1, `one outage warning; stderr: ${app.stderr}`);
      assert.ok(down[0]!.includes(`127.0.0.1:${port}`));

      late = new OtlpReceiver();
      await late.start(Number(port));
      await late.waitFor((r) => r.metrics.length > 0, 10000, 'exports after recovery');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(warnings(app.stderr).filter((line) => line.includes('reachable again')).length, 1, app.stderr);
      assert.equal(warnings(app.stderr).filter((line) => line.includes('cannot export')).length, 1, app.stderr);
    } finally {
      app.kill();
      await late?.stop();
    }
  });

  test('an app that finishes while the collector is unreachable still exits, after the shutdown timeout', async () => {
    const result = await oneRequest({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', CALLSCOPE_SHUTDOWN_TIMEOUT_MS: '1000', OTEL_EXPORTER_OTLP_TIMEOUT: '3000', OTEL_SERVICE_NAME: 'diag-exit' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.timedOut, false);
    assert.match(result.stderr, /flushing telemetry before exit did not finish within 1000 ms/);
  });

  for (const file of ['api-app.mjs', 'api-app.cjs']) {
    test(`start()/shutdown() from code (${file}); OTEL_SERVICE_NAME wins over the option`, async () => {
      const options = { serviceName: 'from-code', endpoint: servers.receiver.url, resourceAttributes: { team: 'core' } };
      const result = await runFixture({ args: [file], env: { FIXTURE_OPTIONS: JSON.stringify(options), OTEL_SERVICE_NAME: `from-env-${file}`, UPSTREAM_URL: servers.upstream.url } });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /done/);
      const span = servers.receiver.spans.find((s) => s.resource['service.name'] === `from-env-${file}` && s.kind === 3);
      assert.ok(span, 'the client span arrived before shutdown() resolved');
      assert.equal(span.resource.team, 'core');
      if (file.endsWith('.mjs')) assert.match(result.stderr, /already running \(started by start\(\)\); this start\(\) call is ignored/);
    });
  }
});
