// Creates and ends spans shaped like a ws message span (a link, three attributes,
// optionally one ws.send event) through whatever SDK is installed (callscope's
// preload, or plain-sdk.mjs), and prints the CPU time per span as JSON.
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('ws-span-loop');
const handshake = tracer.startSpan('ws upgrade /chat').spanContext();
const N = Number(process.env.SPANS ?? 50000);

async function measure(withEvent) {
  const before = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const span = tracer.startSpan('ws receive /chat', {
      kind: SpanKind.CONSUMER,
      links: [{ context: handshake }],
      attributes: { 'callscope.ws.connection_id': '0123456789ab', 'callscope.ws.message.size': 36, 'callscope.ws.message.type': 'text' },
    }, ROOT_CONTEXT);
    if (withEvent) span.addEvent('ws.send', { 'callscope.ws.message.size': 36, 'callscope.ws.message.type': 'text' });
    span.end();
    // Let the batch processor export as it would between messages.
    if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / N;
}

await measure(true); // warm-up
const result = { span: await measure(false), spanWithEvent: await measure(true) };
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
