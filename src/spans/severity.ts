// callscope.severity, decided when a span ends (design.md, "Severity"). Span
// status keeps following the semantic conventions; severity is our one-word
// judgement: a client 4xx is status ERROR but only `warn`.

import { type Attributes, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/sdk-trace';
import { constants } from 'node:os';
import { type Category, DEFAULT_SLOW_MS } from './rules.js';

export const ATTR_SEVERITY = 'callscope.severity';
export type Severity = 'info' | 'warn' | 'error' | 'fatal';
const SEVERITIES: readonly string[] = ['info', 'warn', 'error', 'fatal'];

let crashing = false;

/**
 * Called by the crash handler (uncaught exception path) before it ends the open
 * spans: from then on a failed span is `fatal`. Process-wide, never reset: the
 * process is going down.
 */
export function markProcessCrashing(): void {
  crashing = true;
}

/** What the processor knows about an outbound span beyond its own attributes. */
export interface CallFacts {
  category: Category | undefined;
  /** Outbound spans started inside this one (an SDK call's HTTP attempts). */
  attempts: number;
  /** HTTP status of the last such attempt, when the span has none of its own (an SDK error). */
  childStatus: number | undefined;
}

export function decideSeverity(span: Span, facts: CallFacts | undefined, slowMs: Record<Category, number> = DEFAULT_SLOW_MS): Severity {
  const attrs = span.attributes;
  const failed = span.status.code === SpanStatusCode.ERROR || attrs['error.type'] !== undefined || hasException(span);
  if (crashing && failed) return 'fatal';
  // An instrumentation that knows better (ws close codes) has already decided.
  const preset = attrs[ATTR_SEVERITY];
  if (typeof preset === 'string' && SEVERITIES.includes(preset)) return preset as Severity;

  const outbound = span.kind === SpanKind.CLIENT || span.kind === SpanKind.PRODUCER;
  const status = statusCode(attrs) ?? (outbound ? facts?.childStatus : undefined);
  if (status !== undefined && status >= 500) return 'error';
  if (status !== undefined && status >= 400) {
    if (outbound) return 'warn';
    if (span.kind === SpanKind.SERVER) return status === 429 ? 'warn' : failed ? 'error' : 'info';
  }
  if (failed) return 'error';
  if (outbound) {
    const threshold = slowMs[facts?.category ?? 'http'];
    const durationMs = span.duration[0] * 1e3 + span.duration[1] / 1e6;
    if (durationMs > threshold) return 'warn';
    const resends = attrs['http.request.resend_count'];
    if ((facts !== undefined && facts.attempts > 1) || (typeof resends === 'number' && resends > 0)) return 'warn';
  }
  return 'info';
}

export function statusCode(attrs: Attributes): number | undefined {
  const value = attrs['http.response.status_code'] ?? attrs['http.status_code'];
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d{3}$/.test(value)) return Number(value);
  return undefined;
}

function hasException(span: Span): boolean {
  for (const event of span.events) if (event.name === 'exception') return true;
  return false;
}

// A code in an error text: a Node system error (`connect ECONNREFUSED 127.0.0.1:5432`), or
// instrumentation-pg's sanitized message (`… occurred (code: 42P01)`), which records the
// exception as text only — no exception.type — and keeps the SQLSTATE to its own metric.
// Only real errno / DNS error names count: an `ERROR` or `EXPIRED` in a message is not a code
// (and free text must not become a metric attribute value).
const SYSTEM_CODES = new Set([...Object.keys(constants.errno), 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ESERVFAIL', 'ETIMEOUT']);
const CODE_IN_TEXT = /\bE[A-Z0-9_]{2,}\b|\(code: ([A-Za-z0-9_]{1,16})\)/g;

function codeIn(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  for (const match of text.matchAll(CODE_IN_TEXT)) {
    if (match[1] !== undefined) return match[1] === 'UNKNOWN' ? undefined : match[1];
    if (SYSTEM_CODES.has(match[0])) return match[0];
  }
  return undefined;
}

/**
 * error.type of a failed span: its own, else the recorded exception's type (the AWS
 * SDK instrumentation sets none), else the HTTP status, else a code in the exception or
 * status text, else `_OTHER` (semconv).
 */
export function errorTypeOf(span: Span): string | undefined {
  const own = span.attributes['error.type'];
  if (typeof own === 'string' || typeof own === 'number') return String(own);
  if (span.status.code !== SpanStatusCode.ERROR) return undefined;
  let fromText: string | undefined;
  for (const event of span.events) {
    if (event.name !== 'exception') continue;
    const type = event.attributes?.['exception.type'];
    if (typeof type === 'string' && type !== '') return type;
    fromText ??= codeIn(event.attributes?.['exception.message']);
  }
  const status = statusCode(span.attributes);
  if (status !== undefined && status >= 400) return String(status);
  return fromText ?? codeIn(span.status.message) ?? '_OTHER';
}
