// CALLSCOPE_WS_MESSAGE_SPANS (traced | all | none | ratio) and CALLSCOPE_WS_SEND_SPANS:
// parsing (one warning for a bad value, never a throw) and their effect on a
// real server.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveConfig } from '../src/config.ts';
import { useTestServers } from './helpers/servers.ts';
import { CLIENT, PRODUCER, ask, of, openClient, startWsFixture } from './helpers/ws-harness.ts';

describe('ws settings', () => {
  const cases: [Record<string, string>, unknown, boolean][] = [
    [{}, 'traced', false],
    [{ CALLSCOPE_WS_MESSAGE_SPANS: 'all' }, 'all', false],
    [{ CALLSCOPE_WS_MESSAGE_SPANS: 'Traced' }, 'traced', false],
    [{ CALLSCOPE_WS_MESSAGE_SPANS: 'none' }, 'none', false],
    [{ CALLSCOPE_WS_MESSAGE_SPANS: ' 0.25 ' }, 0.25, false],
    [{ CALLSCOPE_WS_MESSAGE_SPANS: '1' }, 'all', false],
    [{ CALLSCOPE_WS_MESSAGE_SPANS: '0' }, 0, false],
    [{ CALLSCOPE_WS_MESSAGE_SPANS: 'ALL', CALLSCOPE_WS_SEND_SPANS: 'on' }, 'all', true],
  ];
  for (const [env, messageSpans, sendSpans] of cases) {
    test(`${JSON.stringify(env)} -> ${String(messageSpans)}, send spans ${sendSpans}`, () => {
      const config = resolveConfig({}, env);
      assert.deepEqual(config.ws, { messageSpans, sendSpans });
      assert.deepEqual(config.warnings, []);
    });
  }

  test('bad values: one warning each, defaults used', () => {
    const config = resolveConfig({}, { CALLSCOPE_WS_MESSAGE_SPANS: '1.5', CALLSCOPE_WS_SEND_SPANS: 'sometimes' });
    assert.deepEqual(config.ws, { messageSpans: 'traced', sendSpans: false });
    assert.equal(config.warnings.length, 2, config.warnings.join('\n'));
    assert.match(config.warnings[0]!, /^CALLSCOPE_WS_MESSAGE_SPANS: "1\.5" is not traced, all, none or a ratio between 0 and 1; using traced$/);
    assert.match(config.warnings[1]!, /^CALLSCOPE_WS_SEND_SPANS: /);
  });

  test('options, overridden by the environment', () => {
    assert.deepEqual(resolveConfig({ ws: { messageSpans: 0.5, sendSpans: true } }, {}).ws, { messageSpans: 0.5, sendSpans: true });
    assert.deepEqual(resolveConfig({ ws: { messageSpans: 0.5 } }, { CALLSCOPE_WS_MESSAGE_SPANS: 'none' }).ws.messageSpans, 'none');
    const bad = resolveConfig({ ws: { messageSpans: -1 } }, {});
    assert.equal(bad.ws.messageSpans, 'traced');
    assert.match(bad.warnings.join('\n'), /ws\.messageSpans: -1 is not/);
  });
});

describe('ws settings on a running server', () => {
  const servers = useTestServers();

  async function run(service: string, env: Record<string, string>, path: string): Promise<void> {
    const fixture = await startWsFixture('ws-server.mjs', { OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: servers.receiver.url, UPSTREAM_URL: servers.upstream.url, ...env });
    try {
      const ws = await openClient(`${fixture.url}${path}`);
      assert.equal(await ask(ws, { op: 'fetch' }), 'fetched 200');
      ws.close(1000);
      await servers.receiver.waitFor(() => servers.receiver.spans.some((s) => of(service)(s) && s.name === `ws close ${path}`), 20000, 'the close span');
    } finally {
      fixture.app.kill();
    }
  }
  const lastFetch = () => servers.upstream.requests.filter((r) => r.path === '/from-ws').at(-1);

  test('none: no message span; the handler still runs, its fetch is its own trace, tagged with the connection id', async () => {
    await run('ws-none', { CALLSCOPE_WS_MESSAGE_SPANS: 'none' }, '/none');
    const spans = servers.receiver.spans.filter(of('ws-none'));
    assert.equal(spans.filter((s) => s.name.startsWith('ws receive')).length, 0);
    assert.equal(spans.filter((s) => s.name === 'ws upgrade /none').length, 1);
    await servers.receiver.waitFor(() => servers.receiver.spans.some((s) => of('ws-none')(s) && s.kind === CLIENT), 10000, 'the fetch span');
    const fetchSpan = servers.receiver.spans.find((s) => of('ws-none')(s) && s.kind === CLIENT)!;
    const [upgrade] = spans.filter((s) => s.name === 'ws upgrade /none');
    assert.equal(fetchSpan.parentSpanId, '', 'a root of its own');
    assert.equal(fetchSpan.attributes['callscope.ws.connection_id'], upgrade!.attributes['callscope.ws.connection_id'], 'the log context still names the connection');
  });

  test('ratio 0: no message span and the calls made for the message are not traced either', async () => {
    await run('ws-ratio', { CALLSCOPE_WS_MESSAGE_SPANS: '0' }, '/ratio');
    const spans = servers.receiver.spans.filter(of('ws-ratio'));
    assert.equal(spans.filter((s) => s.name.startsWith('ws receive')).length, 0);
    assert.equal(spans.filter((s) => s.kind === CLIENT).length, 0, `no client span; got ${spans.map((s) => s.name).join(', ')}`);
    assert.match(String(lastFetch()?.headers.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/, 'the upstream is told: not sampled');
  });

  test('send spans: a PRODUCER span per send, child of the message span', async () => {
    await run('ws-send', { CALLSCOPE_WS_SEND_SPANS: 'true' }, '/send');
    const spans = servers.receiver.spans.filter(of('ws-send'));
    const [message] = spans.filter((s) => s.name === 'ws receive /send');
    const sends = spans.filter((s) => s.name === 'ws send /send');
    assert.equal(sends.length, 1);
    assert.equal(sends[0]!.kind, PRODUCER);
    assert.equal(sends[0]!.parentSpanId, message!.spanId);
    assert.equal(sends[0]!.attributes['callscope.ws.message.size'], 'fetched 200'.length);
    assert.deepEqual(message!.events, [], 'no send event when there is a send span');
  });
});
