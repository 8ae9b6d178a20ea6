// What the Node SDK decides for a list of spans: reads [{kind, status, durationMs, attributes}] as JSON
// on stdin, prints [{service, category, severity}]. The e2e test compares it with what the collector's
// generated transform/classify decides for the same spans. Run with: node --import tsx node-classify.ts
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Classifier } from '../../../src/spans/classify.ts';
import { decideSeverity } from '../../../src/spans/severity.ts';

interface Case { kind: number; status: number; durationMs: number; attributes: Record<string, string | number> }

const KIND: Record<number, SpanKind> = { 1: SpanKind.INTERNAL, 2: SpanKind.SERVER, 3: SpanKind.CLIENT, 4: SpanKind.PRODUCER, 5: SpanKind.CONSUMER };
const cases: Case[] = JSON.parse(await new Response(process.stdin as unknown as ReadableStream).text());
const classifier = new Classifier();
const out = cases.map((c) => {
  const kind = KIND[c.kind]!;
  const outbound = kind === SpanKind.CLIENT || kind === SpanKind.PRODUCER;
  const cls = outbound ? classifier.classify(c.attributes, undefined) : undefined;
  const span = {
    kind,
    attributes: cls ? { ...c.attributes, 'callscope.service.name': cls.service, 'callscope.service.category': cls.category } : c.attributes,
    status: { code: c.status === 2 ? SpanStatusCode.ERROR : SpanStatusCode.UNSET },
    duration: [Math.floor(c.durationMs / 1000), (c.durationMs % 1000) * 1e6],
    events: [],
  };
  // decideSeverity reads only these fields of a finished span
  const severity = decideSeverity(span as never, cls ? { category: cls.category, attempts: 1, childStatus: undefined } : undefined);
  return { service: cls?.service, category: cls?.category, severity };
});
console.log(JSON.stringify(out));
