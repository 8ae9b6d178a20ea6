// The WebSocket scenario end to end: a ws server under `node --import callscope/register`
// (test/fixtures/ws-server.mjs) -> our collector (otel-collector.yaml) -> Jaeger. One client
// message makes the handler fetch an upstream, call the openai client and Bedrock (a Titan
// embedding): in Jaeger that is one trace, the `ws receive` span with the three calls as its
// children, each classified, and a reference to the connection's handshake span (another trace).
// Needs the built package (dist/, `npm run build`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { Procs, eventually } from './lib/procs.mjs';
import { jaegerTraces, repoPath, startCollector, startJaeger, tagsOf } from './lib/stack.mjs';

const NODE = process.execPath;
const SERVICE = 'e2e-ws-app';
const skip = fs.existsSync(repoPath('dist/register.js')) ? false : 'dist/register.js missing: run `npm run build` first';

/** One loopback server for the three upstreams: OpenAI chat, Bedrock InvokeModel (embedding), anything else 200. */
async function startUpstream() {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const json = (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url.endsWith('/chat/completions')) {
        return json({
          id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini',
          choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
        });
      }
      if (/\/model\/[^/]+\/invoke$/.test(req.url)) return json({ embedding: [0.1, 0.2, 0.3], inputTextTokenCount: 3 });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

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
  let upstream;
  let replies;
  before(async () => {
    upstream = await startUpstream();
    jaeger = await startJaeger(procs);
    const collector = await startCollector(procs, { env: { CALLSCOPE_JAEGER_ENDPOINT: jaeger.otlpGrpc } });
    procs.start('ws-app', NODE, ['--import', 'callscope/register', repoPath('test/fixtures/ws-server.mjs')], {
      cwd: repoPath('.'), // `callscope` resolves to this package by self-reference
      env: {
        OTEL_SERVICE_NAME: SERVICE,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttp,
        UPSTREAM_URL: upstream.url,
        OPENAI_BASE_URL: `${upstream.url}/v1`,
        BEDROCK_ENDPOINT: upstream.url,
      },
    });
    const port = await procs.ready('ws-app', () => fs.readFileSync(procs.children.get('ws-app').logPath, 'utf8').match(/listening (\d+)/)?.[1], { timeoutMs: 30_000 });
    replies = await converse(port);
    await procs.stop('ws-app', 15_000); // SIGTERM: callscope flushes before the process ends
  });
  after(async () => {
    await procs.stopAll();
    upstream?.close();
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
