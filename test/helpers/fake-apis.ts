// A local stand-in for OpenAI, Amazon Bedrock Runtime and S3, good enough for
// the real `openai` and AWS SDK v3 clients pointed at it (baseURL / endpoint).
// Behaviour is chosen by the URL, so one server serves every case:
//   /status/<code>/…  answer that status (with the API's error body shape)
//   /slow/<ms>/…      wait first (client timeouts)
//   /flaky/<n>/…      answer 503 to the first n requests of this path, then normally
// The prefixes go in the client's base URL; the API path follows.

import { type IncomingMessage, type ServerResponse } from 'node:http';
import { LoopbackServer } from './loopback-server.ts';

export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export class FakeApis extends LoopbackServer {
  readonly requests: FakeRequest[] = [];
  /** SQS (AWS JSON 1.0 protocol): one in-memory queue for every QueueUrl. */
  readonly queue: { MessageId: string; ReceiptHandle: string; Body: string; MessageAttributes?: unknown }[] = [];
  private readonly flakyCounts = new Map<string, number>();

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      this.requests.push(request);
      const slow = /\/slow\/(\d+)/.exec(request.path);
      const answer = () => this.answer(request, res);
      if (slow) setTimeout(answer, Number(slow[1]));
      else answer();
    });
  }





  private answer(request: FakeRequest, res: ServerResponse): void {
    const path = request.path.split('?')[0]!;
    const target = String(request.headers['x-amz-target'] ?? '');
    if (target.startsWith('AmazonSQS.')) return this.sqs(target.slice('AmazonSQS.'.length), JSON.parse(request.body || '{}'), res);
    let status = Number(/\/status\/(\d{3})/.exec(path)?.[1] ?? 200);
    const flaky = /\/flaky\/(\d+)/.exec(path);
    if (flaky) {
      const seen = (this.flakyCounts.get(path) ?? 0) + 1;
      this.flakyCounts.set(path, seen);
      if (seen <= Number(flaky[1])) status = 503;
    }
    if (status >= 400) return errorBody(path, status, res);
    if (path.endsWith('/chat/completions')) return chat(JSON.parse(request.body || '{}'), res);
    if (path.endsWith('/embeddings')) return json(res, 200, { object: 'list', model: 'text-embedding-3-small', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }], usage: { prompt_tokens: 3, total_tokens: 3 } });
    const invoke = /\/model\/([^/]+)\/invoke$/.exec(path);
    if (invoke) {
      const model = decodeURIComponent(invoke[1]!);
      if (model.includes('embed')) return json(res, 200, { embedding: [0.1, 0.2, 0.3], inputTextTokenCount: 3 });
      return json(res, 200, { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 1 } });
    }
    if (/\/model\/[^/]+\/converse$/.test(path)) {
      return json(res, 200, { output: { message: { role: 'assistant', content: [{ text: 'hi' }] } }, stopReason: 'end_turn', usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 }, metrics: { latencyMs: 5 } });
    }
    if (request.method === 'PUT') {
      res.writeHead(200, { etag: '"abc"' }).end();
      return;
    }
    if (request.method === 'GET' && path.includes('/bucket/')) {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5', etag: '"abc"' }).end('hello');
      return;
    }
    json(res, 200, { ok: true, path });
  }

  private sqs(action: string, input: SqsInput, res: ServerResponse): void {
    const headers = { 'content-type': 'application/x-amz-json-1.0' };
    if (action === 'SendMessage') {
      const id = `msg-${this.queue.length + 1}`;
      this.queue.push({ MessageId: id, ReceiptHandle: `rh-${id}`, Body: input.MessageBody ?? '', MessageAttributes: input.MessageAttributes });
      return json(res, 200, { MessageId: id }, headers);
    }
    if (action === 'ReceiveMessage') return json(res, 200, { Messages: this.queue.splice(0, input.MaxNumberOfMessages ?? 1) }, headers);
    if (action === 'DeleteMessage') return json(res, 200, {}, headers);
    json(res, 400, { __type: 'com.amazonaws.sqs#InvalidAction', message: action }, headers);
  }
}

export interface SqsInput {
  MessageBody?: string;
  MessageAttributes?: unknown;
  MaxNumberOfMessages?: number;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** Each API's own error shape, so the SDKs raise their own error classes. */
function errorBody(path: string, status: number, res: ServerResponse): void {
  if (path.includes('/v1/')) return json(res, status, { error: { message: `fake ${status}`, type: 'fake_error', code: String(status) } });
  if (path.includes('/model/')) {
    const type = status === 429 ? 'ThrottlingException' : status === 404 ? 'ResourceNotFoundException' : status >= 500 ? 'InternalServerException' : 'ValidationException';
    return json(res, status, { message: `fake ${status}` }, { 'x-amzn-errortype': type });
  }
  if (path.includes('/bucket/')) {
    const code = status === 404 ? 'NoSuchKey' : status === 429 || status === 503 ? 'SlowDown' : status >= 500 ? 'InternalError' : 'AccessDenied';
    res.writeHead(status, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>fake ${status}</Message></Error>`);
    return;
  }
  json(res, status, { ok: false, status });
}

/** A chat completion, or a stream of five chunks 30 ms apart (so an abort can land half-way); model `break-halfway` drops the connection after two. */
function chat(body: { stream?: boolean; model?: string }, res: ServerResponse): void {
  const model = body.model ?? 'gpt-4o-mini';
  if (!body.stream) {
    return json(res, 200, {
      id: 'chatcmpl-1', object: 'chat.completion', created: 1, model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    if (sent === 2 && model === 'break-halfway') {
      clearInterval(timer);
      res.socket?.destroy();
      return;
    }
    const last = sent === 4;
    const chunk = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: { content: `w${sent} ` }, finish_reason: last ? 'stop' : null }] };
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    if (last) {
      clearInterval(timer);
      res.end('data: [DONE]\n\n');
    }
    sent++;
  }, 30);
  res.on('close', () => clearInterval(timer));
}
