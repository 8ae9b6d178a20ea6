// The WebSocket scenario end to end: a ws server under `node --import callscope/register`
// (test/fixtures/ws-server.mjs) -> our collector (otel-collector.yaml) -> Jaeger. One client
// message makes the handler fetch an upstream, call the openai client and Bedrock (a Titan
// embedding): in Jaeger that is one trace, the `ws receive` span with the three calls as its
// children, each classified, and a reference to the connection's handshake span (another trace).
// Needs the built package (dist/, `npm run build`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
// The unit tests' stand-in for OpenAI and Bedrock (the runner is Node 24, which runs TypeScript as is).
import { FakeApis } from '../helpers/fake-apis.ts';
import { Procs, eventually } from './lib/procs.mjs';
import { jaegerTraces, repoPath, startCollector, startJaeger, startRegisteredApp, tagsOf } from './lib/stack.mjs';

const SERVICE = 'e2e-ws-app';
const skip = fs.existsSync(repoPath('dist/register.js')) ? false : 'dist/register.js missing: run `npm run build` first';

/** Opens a client on /chat, sends one message that does the whole scenario, waits for its three replies. */
async function converse(port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`);
  await once(ws, 'open');
  const replies = [];
  const done = new Promise((resolve, reject) => {
    // A failed upstream call leaves the handler without a reply: fail, never hang.
    const timer = setTimeout(() => reject(new Error(`3 replies within 20 s; got ${JSON.stringify(replies)}`)), 20_000);
    ws.on('message', (data) => replies.push(String(data)) === 3 && (clearTimeout(timer), resolve()));
    ws.on('error', reject);
    ws.on('close', (code) => reject(new Error(`closed (${code}) after ${JSON.stringify(replies)}`)));
  });
  ws.send(JSON.stringify({ op: 'llm' }));
  await done;
  ws.close(1000);
  await once(ws, 'close');
  return replies;
}

describe('ws app -> collector -> Jaeger', { skip }, () => {
  const procs = new Procs('ws-local');
  let jaeger;
  let apis;
  let replies;
  before(async () => {
    apis = await new FakeApis().start();
    jaeger = await startJaeger(procs);
    const collector = await startCollector(procs, { env: { CALLSCOPE_JAEGER_ENDPOINT: jaeger.otlpGrpc } });
    // One fake serves the three calls: the fetch (any path answers 200), OpenAI chat and Bedrock InvokeModel.
    const port = await startRegisteredApp(procs, 'ws-app', 'test/fixtures/ws-server.mjs', {
      OTEL_SERVICE_NAME: SERVICE,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttp,
      UPSTREAM_URL: apis.url,
      OPENAI_BASE_URL: `${apis.url}/v1`,
      BEDROCK_ENDPOINT: apis.url,
    });
    replies = await converse(port);
    await procs.stop('ws-app', 15_000); // SIGTERM: callscope flushes before the process ends
  });
  after(async () => {
    await procs.stopAll();
    await apis?.stop();
  });

  test('one message is one trace: the message span, its fetch, OpenAI and Bedrock calls as classified children, linked to the handshake', async () => {
    assert.deepEqual(replies, ['fetched 200', 'openai hi', 'embedding 3']);
    const childrenOf = (all, parent) => all.filter((s) => s.references.some((r) => r.refType === 'CHILD_OF' && r.spanID === parent.spanID));
    const spans = await eventually(async () => {
      const all = (await jaegerTraces(jaeger.queryUrl, SERVICE)).flatMap((t) => t.spans);
      const message = all.find((s) => s.operationName === 'ws receive /chat');
      // Both traces (the handshake's and the message's) and the message's three calls.
      return message && all.some((s) => s.operationName === 'ws upgrade /chat') && childrenOf(all, message).length >= 3 && all;
    }, { what: `the ws upgrade and ws receive traces of ${SERVICE} in Jaeger`, timeoutMs: 40_000 });

    const message = spans.find((s) => s.operationName === 'ws receive /chat');
    const upgrade = spans.find((s) => s.operationName === 'ws upgrade /chat');
    assert.ok(upgrade, `a handshake span; got ${spans.map((s) => s.operationName).join(', ')}`);
    assert.equal(tagsOf(message)['span.kind'], 'consumer');
    assert.notEqual(message.traceID, upgrade.traceID, 'the message is its own trace');
    assert.equal(tagsOf(message)['callscope.ws.connection_id'], tagsOf(upgrade)['callscope.ws.connection_id']);
    assert.ok(
      message.references.some((r) => r.spanID === upgrade.spanID && r.traceID === upgrade.traceID),
      `the message span references the handshake span; references: ${JSON.stringify(message.references)}`,
    );

    const children = childrenOf(spans, message);
    const found = children.map((s) => `${s.operationName} ${JSON.stringify(tagsOf(s)['callscope.service.category'])}`).join(', ');
    const fetchSpan = children.find((s) => String(tagsOf(s)['url.full'] ?? '').endsWith('/from-ws'));
    const openaiSpan = children.find((s) => tagsOf(s)['callscope.service.category'] === 'llm');
    const bedrockSpan = children.find((s) => tagsOf(s)['callscope.service.category'] === 'embeddings');
    assert.ok(fetchSpan && openaiSpan && bedrockSpan, `fetch, an llm call and an embeddings call under the message span; children: ${found}`);
    assert.equal(tagsOf(bedrockSpan)['callscope.service.name'], 'aws.bedrock-runtime');
    for (const child of [fetchSpan, openaiSpan, bedrockSpan]) {
      assert.equal(tagsOf(child)['span.kind'], 'client', child.operationName);
      assert.ok(tagsOf(child)['callscope.severity'], `${child.operationName} has a severity`);
      assert.equal(child.traceID, message.traceID);
    }
    // The listener is async: its span lasts past the awaited calls (Jaeger times are µs). The openai and
    // aws-sdk spans can end in callbacks just after the app's await resumes, so only their starts are compared.
    const end = (s) => s.startTime + s.duration;
    assert.ok(end(fetchSpan) <= end(message), 'the awaited fetch ends inside the message span');
    assert.ok(bedrockSpan.startTime <= end(message), 'the Bedrock call, made after two awaits, starts inside the message span');
  });
});
