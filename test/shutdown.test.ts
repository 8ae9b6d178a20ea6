// Shutdown that loses nothing and still exits: spans buffered when SIGTERM or
// SIGINT arrives reach the receiver, and the process then ends by that signal,
// as Node would have without callscope. An app that handles the signal itself
// keeps running (its own shutdown logic decides), but its telemetry is flushed.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Fixture } from './helpers/run-fixture.ts';
import { useTestServers } from './helpers/servers.ts';

const servers = useTestServers();

function startApp(service: string, env: Record<string, string> = {}): Fixture {
  return new Fixture({
    args: ['--import', 'callscope/register', 'signal-app.mjs'],
    env: {
      OTEL_SERVICE_NAME: service,
      OTEL_EXPORTER_OTLP_ENDPOINT: servers.receiver.url,
      UPSTREAM_URL: servers.upstream.url,
      // Nothing would be exported for a minute: only the shutdown flush can deliver.
      OTEL_BSP_SCHEDULE_DELAY: '60000',
      OTEL_METRIC_EXPORT_INTERVAL: '60000',
      ...env,
    },
  });
}

async function oneRequest(app: Fixture): Promise<void> {
  const port = (await app.waitForOutput(/listening \d+/)).split(' ')[1];
  assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'ok');
}

const spansOf = (service: string) => servers.receiver.spans.filter((s) => s.resource['service.name'] === service);

describe('shutdown on signals', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal}: buffered spans are exported, then the process ends by ${signal} within 2 s`, async () => {
      const service = `signal-${signal.toLowerCase()}`;
      const app = startApp(service);
      try {
        await oneRequest(app);
        assert.equal(spansOf(service).length, 0, 'nothing exported before the signal');
        const sentAt = Date.now();
        app.child.kill(signal);
        const result = await app.exited;
        const tookMs = Date.now() - sentAt;
        assert.equal(result.signal, signal, `ended by the signal (code ${result.code}); stderr: ${result.stderr}`);
        assert.ok(tookMs < 2000, `exited ${tookMs} ms after the signal`);
        const spans = spansOf(service);
        assert.equal(spans.filter((s) => s.kind === 2).length, 1, 'the server span arrived');
        assert.equal(spans.filter((s) => s.kind === 3).length, 1, 'the fetch span arrived');
        assert.ok(servers.receiver.metrics.some((m) => m.resource['service.name'] === service), 'metrics were flushed too');
      } finally {
        app.kill();
      }
    });
  }

  test('an app with its own SIGTERM handler keeps running, and its telemetry is flushed', async () => {
    const service = 'signal-own-handler';
    const app = startApp(service, { OWN_HANDLER: '1' });
    try {
      await oneRequest(app);
      app.child.kill('SIGTERM');
      await app.waitForOutput('app handled SIGTERM');
      await servers.receiver.waitFor(() => spansOf(service).length >= 2, 5000, 'flushed spans');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(app.child.exitCode, null, 'still running a second after SIGTERM');
      assert.equal(app.child.signalCode, null);
      await oneRequest(app); // and still serving
    } finally {
      app.kill();
    }
  });
});
