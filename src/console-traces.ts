// CALLSCOPE_CONSOLE_TRACES=tree: every finished trace printed as a tree on
// stderr, for development without a collector or Jaeger at hand. A span
// processor collects the ended spans of each trace and prints the trace when
// its local root ends (plus a short grace period for children that end just
// after their parent). Only sampled spans are shown: what would be exported.

import { SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

const GRACE_MS = 50;
/** Traces whose root never ends (or never arrives) are dropped past this many. */
const MAX_OPEN_TRACES = 1000;
const KIND = ['internal', 'server', 'client', 'producer', 'consumer'];

type Write = (text: string) => void;

export class ConsoleTreeProcessor implements SpanProcessor {
  private readonly open = new Map<string, ReadableSpan[]>();
  private readonly write: Write;
  private readonly colour: boolean;

  constructor(write: Write = (text) => process.stderr.write(text), colour = process.stderr.isTTY === true) {
    this.write = write;
    this.colour = colour;
  }

  onStart(_span: Span, _context: Context): void {}

  onEnd(span: ReadableSpan): void {
    try {
      if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
      const traceId = span.spanContext().traceId;
      let spans = this.open.get(traceId);
      if (!spans) {
        if (this.open.size >= MAX_OPEN_TRACES) this.open.delete(this.open.keys().next().value!);
        this.open.set(traceId, (spans = []));
      }
      spans.push(span);
      // A local root: no parent, or a parent in another process (remote).
      if (!span.parentSpanContext || span.parentSpanContext.isRemote) {
        setTimeout(() => this.print(traceId), GRACE_MS).unref();
      }
    } catch {
      // A development aid must never disturb the app.
    }
  }

  forceFlush(): Promise<void> {
    for (const traceId of [...this.open.keys()]) this.print(traceId);
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.forceFlush();
  }

  private print(traceId: string): void {
    const spans = this.open.get(traceId);
    if (!spans) return;
    this.open.delete(traceId);
    const ids = new Set(spans.map((s) => s.spanContext().spanId));
    const children = new Map<string, ReadableSpan[]>();
    const roots: ReadableSpan[] = [];
    for (const span of spans) {
      const parent = span.parentSpanContext?.spanId;
      if (parent && ids.has(parent)) children.set(parent, [...(children.get(parent) ?? []), span]);
      else roots.push(span);
    }
    const byStart = (a: ReadableSpan, b: ReadableSpan) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1];
    const lines = [this.dim(`trace ${traceId}`)];
    const walk = (span: ReadableSpan, prefix: string, last: boolean, top: boolean) => {
      const branch = top ? '' : last ? '└─ ' : '├─ ';
      lines.push(prefix + branch + this.describe(span));
      const kids = (children.get(span.spanContext().spanId) ?? []).sort(byStart);
      kids.forEach((kid, i) => walk(kid, top ? prefix : prefix + (last ? '   ' : '│  '), i === kids.length - 1, false));
    };
    roots.sort(byStart).forEach((root) => walk(root, '', true, true));
    this.write(lines.join('\n') + '\n');
  }

  private describe(span: ReadableSpan): string {
    const a = span.attributes;
    const ms = span.duration[0] * 1e3 + span.duration[1] / 1e6;
    const status = a['http.response.status_code'] ?? (span.status.code === SpanStatusCode.ERROR ? 'ERROR' : undefined);
    const service = a['callscope.service.name'] ? ` → ${a['callscope.service.name']} (${a['callscope.service.category'] ?? '?'})` : '';
    const severity = String(a['callscope.severity'] ?? (span.status.code === SpanStatusCode.ERROR ? 'error' : 'info'));
    const text = `${span.name} [${KIND[span.kind] ?? span.kind}]${service} ${ms.toFixed(1)} ms${status !== undefined ? ` ${status}` : ''} ${severity}`;
    return severity === 'info' ? text : this.paint(severity, text);
  }

  private dim(text: string): string {
    return this.colour ? `\x1b[2m${text}\x1b[0m` : text;
  }

  private paint(severity: string, text: string): string {
    if (!this.colour) return text;
    const code = severity === 'warn' ? 33 : 31;
    return `\x1b[${code}m${text}\x1b[0m`;
  }
}
