// A separate worker process that reads jobs from SQS continues the producer's
// trace: the AWS SDK instrumentation puts the producer's context in the message
// attributes; the consumer's receive span links to it and extractCarrier() makes
// the job's processing a child of the SendMessage span. Real SQSClient, local fake.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeApis } from './helpers/fake-apis.ts';
import { OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';
import { FIXTURES, Fixture } from './helpers/run-fixture.ts';
import { Upstream } from './helpers/upstream.ts';

let receiver: OtlpReceiver;
let fake: FakeApis;
let upstream: Upstream;
before(async () => {
  receiver = await new OtlpReceiver().start();
  fake = await new FakeApis().start();
  upstream = await new Upstream().start();
});
after(async () => {
  await receiver.stop();
  await fake.stop();
  await upstream.stop();
});

test('an SQS consumer process continues the producer trace', { timeout: 60000 }, async () => {
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, SQS_ENDPOINT: fake.url, UPSTREAM_URL: upstream.url };
  const run = async (role: string) => {
    const result = await new Fixture({ args: ['--import', 'callscope/register', 'calls-sqs-app.mjs'], cwd: FIXTURES, env: { ...env, ROLE: role, OTEL_SERVICE_NAME: `sqs-${role}` } }).exited;
    assert.equal(result.code, 0, result.stderr);
    return result;
  };
  await run('producer');
  assert.equal(fake.queue.length, 1);
  assert.match(JSON.stringify(fake.queue[0]!.MessageAttributes), /traceparent/, 'the instrumentation put the context in the message');
  const consumer = await run('consumer');
  assert.match(consumer.stdout, /processed 1/);

  await receiver.waitFor((r) => r.spans.some((s) => s.name === 'process order') && r.spans.some((s) => s.name === 'enqueue order'), 15000, 'producer and consumer spans');
  const of = (service: string) => receiver.spans.filter((s) => s.resource['service.name'] === service);
  const send = of('sqs-producer').find((s) => s.kind === 4)!;
  assert.ok(send, 'a PRODUCER span for SendMessage');
  assert.equal(send.attributes['callscope.service.name'], 'aws.sqs');
  assert.equal(send.attributes['callscope.service.category'], 'queue');
  const consumerSpans = of('sqs-consumer');
  const receive = consumerSpans.find((s) => s.kind === 5 && s.name !== 'process order')!;
  assert.deepEqual(receive.links.map((l) => l.spanId), [send.spanId], 'the receive span links to the send');
  const processing = consumerSpans.find((s) => s.name === 'process order')!;
  assert.equal(processing.traceId, send.traceId, 'same trace as the producer');
  assert.equal(processing.parentSpanId, send.spanId);
  const call = consumerSpans.find((s: ReceivedSpan) => s.kind === 3 && String(s.attributes['url.full']).endsWith('/order'))!;
  assert.equal(call.parentSpanId, processing.spanId);
});
