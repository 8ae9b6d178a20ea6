// CALLSCOPE_CONSOLE_TRACES=tree prints each finished trace as a tree on stderr.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Fixture } from './helpers/run-fixture.ts';
import { Upstream } from './helpers/upstream.ts';

let upstream: Upstream;
before(async () => {
  upstream = await new Upstream().start();
});
after(() => upstream.stop());

async function run(env: Record<string, string>) {
  const app = new Fixture({
    args: ['--import', 'callscope/register', 'http-app.mjs'],
    // No collector in development: exports fail quietly, the tree still prints.
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_TIMEOUT: '500', CALLSCOPE_SHUTDOWN_TIMEOUT_MS: '500', UPSTREAM_URL: upstream.url, FIXTURE_REQUESTS: '1', ...env },
  });
  try {
    const port = (await app.waitForOutput(/listening \d+/)).split(' ')[1];
    await (await fetch(`http://127.0.0.1:${port}/work`)).text();
    return await app.exited;
  } finally {
    app.kill();
  }
}

test('each trace prints as a tree: the server span with its two client calls under it', async () => {
  const { stderr, code } = await run({ CALLSCOPE_CONSOLE_TRACES: 'tree' });
  assert.equal(code, 0, stderr);
  const lines = stderr.split('\n');
  const start = lines.findIndex((line) => /^trace [0-9a-f]{32}$/.test(line));
  assert.ok(start >= 0, stderr);
  const [root, first, second] = lines.slice(start + 1, start + 4);
  assert.match(root!, /^GET \S* ?\[server\].* \d+\.\d ms 200 \w+$/);
  assert.match(first!, /^├─ GET \[client\].* \d+\.\d ms 200 \w+$/);
  assert.match(second!, /^└─ GET \[client\].* \d+\.\d ms 200 \w+$/);
});

test('off by default; a bad value warns and stays off', async () => {
  const quiet = await run({});
  assert.doesNotMatch(quiet.stderr, /^trace /m);
  const bad = await run({ CALLSCOPE_CONSOLE_TRACES: 'graph' });
  assert.match(bad.stderr, /CALLSCOPE_CONSOLE_TRACES: "graph" is not one of tree, off; using off/);
  assert.doesNotMatch(bad.stderr, /^trace /m);
});
