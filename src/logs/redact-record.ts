// Secrets never leave the process (design.md, "Redaction"): the stdout line is
// one way out, so records are redacted when prepared, with the same Redactor
// (src/spans/redact.ts) and settings (CALLSCOPE_REDACT) as spans and the OTLP log
// processor. The OTLP copy is then already clean; that processor's cheap
// prefilter finds nothing left to do.

import { Redactor } from '../spans/redact.js';
import { redactorFor } from '../spans/pipeline.js';
import { state } from '../state.js';

let withDefaults: Redactor | undefined;
// The last settings seen and their Redactor: one comparison per record instead of a WeakMap lookup.
let lastSettings: unknown;
let lastRedactor: Redactor | undefined;

/** The running callscope's Redactor; the defaults (plus nothing) when it was never started. */
function redactor(): Redactor {
  const spans = state.config?.spans;
  if (!spans) return (withDefaults ??= new Redactor());
  if (spans !== lastSettings || lastRedactor === undefined) {
    lastSettings = spans;
    lastRedactor = redactorFor(spans);
  }
  return lastRedactor;
}

/** Redacts the message and the fields (not the core keys) of a prepared record, in place. */
export function redactRecord(record: Record<string, unknown>, fieldKeys: readonly string[]): void {
  const r = redactor();
  if (typeof record.message === 'string') record.message = r.redactString(record.message);
  for (const key of fieldKeys) {
    const value = record[key];
    // Numbers and booleans cannot hold a secret shape; skip the call for them.
    if (typeof value === 'string' || (typeof value === 'object' && value !== null)) record[key] = r.redactAny(key, value);
  }
}
