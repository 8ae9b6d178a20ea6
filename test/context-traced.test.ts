// traced() and @tracedMethod from a TypeScript app: spans for sync, async and
// async-generator work (the generator's span covers the whole iteration), errors
// recorded and rethrown as the same object, values unchanged; with a service the
// span is an outbound call, classified and counted like an instrumented one.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReceivedSpan } from './helpers/otlp-receiver.ts';
import { FIXTURES, Fixture, ROOT } from './helpers/run-fixture.ts';
import { useTestServers } from './helpers/servers.ts';

const servers = useTestServers();

test('traced() and @tracedMethod', { timeout: 60000 }, async () => {
  const service = 'traced-api';
  const app = new Fixture({
    args: ['--import', 'callscope/register', '--import', `${ROOT}node_modules/tsx/dist/loader.mjs`, 'calls-traced-app.ts'],
    cwd: FIXTURES,
    env: { OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: servers.receiver.url, UPSTREAM_URL: servers.upstream.url },
  });
  const result = await app.exited;
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(/report (.*)/.exec(result.stdout)![1]!);
  assert.deepEqual(report, {
    sync: 42, async: 200, syncSameError: true, asyncSameError: true, pages: [1, 2, 3], firstPage: 1,
    found: { id: 5, table: 'users' }, query: 'ran select 1',
  });

  const mine = (s: ReceivedSpan) => s.resource['service.name'] === service;
  await servers.receiver.waitFor((r) => r.spans.filter(mine).some((s) => s.name === 'legacy query'), 15000, 'spans');
  const spans = servers.receiver.spans.filter(mine);
  const named = (name: string) => spans.find((s) => s.name === name)!;
  const callTo = (path: string) => spans.find((s) => s.kind === 3 && String(s.attributes['url.full']).endsWith(path))!;

  assert.equal(named('sync-op').kind, 1);
  assert.equal(named('sync-op').attributes['callscope.severity'], 'info');

  const charge = named('charge card');
  assert.equal(charge.kind, 3, 'a service makes it an outbound CLIENT span');
  assert.equal(charge.attributes['callscope.service.name'], 'payments-api');
  assert.equal(charge.attributes['callscope.service.category'], 'http');
  assert.equal(charge.attributes['peer.service'], 'payments-api');
  assert.equal(charge.attributes['app.order'], 7);
  const inner = callTo('/charge');
  assert.equal(inner.parentSpanId, charge.spanId);
  assert.equal(inner.attributes['callscope.service.name'], 'payments-api', 'the HTTP call inside belongs to the same service');

  for (const name of ['sync-fail', 'async-fail']) {
    const span = named(name);
    assert.equal(span.status.code, 2, name);
    assert.equal(span.status.message, 'bad input');
    assert.equal(span.attributes['callscope.severity'], 'error');
    assert.deepEqual(span.events.map((e) => [e.name, e.attributes['exception.type'], e.attributes['exception.message']]), [['exception', 'TypeError', 'bad input']]);
  }

  // The generator's span lasts the whole iteration; the call between pages is its child.
  const paginate = named('paginate');
  const page2 = spans.filter((s) => s.kind === 3 && String(s.attributes['url.full']).endsWith('/page-2'));
  assert.equal(page2.length, 1, 'the abandoned iteration never reached page 2');
  assert.equal(page2[0]!.parentSpanId, paginate.spanId);
  assert.ok(paginate.endNs >= page2[0]!.endNs, 'span ends after the last page');
  assert.equal(named('paginate-break').status.code, 0);

  const find = named('Repository.find');
  assert.equal(find.kind, 1);
  assert.equal(callTo('/find/5').parentSpanId, find.spanId);
  const legacy = named('legacy query');
  assert.equal(legacy.kind, 3);
  assert.equal(legacy.attributes['callscope.service.name'], 'legacy-db');
  assert.equal(legacy.attributes['callscope.service.category'], 'database');

  await servers.receiver.waitFor((r) => r.metrics.some((m) => m.name === 'callscope.external.duration' && mine(m as never)), 15000, 'metrics');
  const metric = servers.receiver.metrics.filter((m) => m.name === 'callscope.external.duration' && m.resource['service.name'] === service).at(-1)!;
  const payments = metric.points.filter((p) => p.attributes['callscope.service.name'] === 'payments-api');
  assert.deepEqual(payments.map((p) => p.count), [1], 'the traced call counted once, not again for its inner HTTP call');
});
