// Severity on server and internal spans (outbound calls are covered in
// spans-calls.test.ts): a server 5xx is error, a server 429 warn, other 4xx info;
// an internal span that threw is error; a failed span ending while the process
// crashes is fatal.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OtlpReceiver } from './helpers/otlp-receiver.ts';
import { FIXTURES, Fixture } from './helpers/run-fixture.ts';

let receiver: OtlpReceiver;
before(async () => {
  receiver = await new OtlpReceiver().start();
});
after(async () => {
  await receiver.stop();
});

test('server and internal spans', { timeout: 60000 }, async () => {
  const service = 'severity-server';
  const app = new Fixture({ args: ['--import', 'callscope/register', 'calls-server-app.mjs'], cwd: FIXTURES, env: { OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
  try {
    const port = (await app.waitForOutput(/listening \d+/)).split(' ')[1];
    const expected: Record<string, string> = { 200: 'info', 404: 'info', 400: 'info', 429: 'warn', 500: 'error', 503: 'error' };
    for (const code of Object.keys(expected)) await (await fetch(`http://127.0.0.1:${port}/status/${code}`)).arrayBuffer();
    await (await fetch(`http://127.0.0.1:${port}/done`)).text();
    const result = await app.exited;
    assert.equal(result.code, 0, result.stderr);

    const mine = () => receiver.spans.filter((s) => s.resource['service.name'] === service);
    await receiver.waitFor(() => mine().some((s) => s.name === 'work cut short by the crash'), 15000, 'spans');
    const servers = mine().filter((s) => s.kind === 2);
    for (const [code, severity] of Object.entries(expected)) {
      const span = servers.find((s) => s.attributes['url.path'] === `/status/${code}`);
      assert.equal(span?.attributes['callscope.severity'], severity, `server ${code}`);
    }
    const bySpan = (name: string) => mine().find((s) => s.name === name)?.attributes['callscope.severity'];
    assert.equal(bySpan('internal ok'), 'info');
    assert.equal(bySpan('internal failed'), 'error');
    assert.equal(bySpan('work cut short by the crash'), 'fatal');
  } finally {
    app.kill();
  }
});
