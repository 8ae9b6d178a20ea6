// A prepared record as one output line: a JSON object per line (machines, CloudWatch,
// `NODE_ENV=production`), or a readable coloured line (a developer's terminal).
// Key order in JSON is fixed: timestamp, level, logger, message, trace_id, span_id,
// then the record's own fields.

import { inspect } from 'node:util';
import { LEVEL_COLOUR, type LevelName } from './levels.js';
import { CORE_KEYS, HIDDEN_KEYS, type Record_ } from './record.js';
import type { LogFormat } from './logs-config.js';

export function render(record: Record_, format: LogFormat, indent = 0): string {
  return format === 'json' ? renderJson(record) : renderPretty(record, indent);
}

export function renderJson(record: Record_): string {
  // Built as a string: measurably faster than a fresh object through JSON.stringify,
  // and the core keys need no escaping of their names.
  let line = `{"timestamp":"${record.timestamp}","level":"${record.level}","logger":${quoted(record.logger)},"message":${JSON.stringify(record.message)}`;
  if (record.trace_id !== undefined) line += `,"trace_id":"${record.trace_id}","span_id":"${record.span_id}"`;
  for (const key of Object.keys(record)) {
    if (CORE_KEYS.has(key) || HIDDEN_KEYS.has(key)) continue;
    const value = record[key];
    if (value === undefined) continue;
    let json: string | undefined;
    if (typeof value === 'number' && Number.isFinite(value)) json = String(value); // what JSON.stringify gives, without the call
    else {
      try {
        json = JSON.stringify(value);
      } catch {
        // prepareRecord made fields JSON-safe; a field added later by a user format may not be.
        json = JSON.stringify(inspect(value));
      }
    }
    if (json !== undefined) line += `,${quoted(key)}:${json}`;
  }
  return `${line}}`;
}

// Field names and logger names repeat from record to record: quote each once.
const quotedNames = new Map<string, string>();
function quoted(name: string): string {
  let json = quotedNames.get(name);
  if (json === undefined) {
    json = JSON.stringify(name);
    if (quotedNames.size < 5000) quotedNames.set(name, json);
  }
  return json;
}

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const colours = !process.env.NO_COLOR;

function paint(code: string, text: string): string {
  return colours ? `${code}${text}${RESET}` : text;
}

/** `12:00:00.123 INFO  src/app.ts  message  key=value … trace=4bf92f35` with stacks on the lines below. */
export function renderPretty(record: Record_, indent = 0): string {
  const level = record.level as LevelName;
  const time = (record.timestamp ?? '').slice(11, 23);
  const pad = ' '.repeat(indent * 2);
  let line = `${paint(DIM, time)} ${paint(LEVEL_COLOUR[level] ?? '', level.toUpperCase().padEnd(5))} ${paint(DIM, record.logger)}  ${pad}${record.message}`;
  const stacks: string[] = [];
  for (const key of Object.keys(record)) {
    if (CORE_KEYS.has(key) || HIDDEN_KEYS.has(key)) continue;
    const value = record[key];
    const stack = (value as { stack?: unknown } | null)?.stack;
    if (typeof stack === 'string') stacks.push(stack);
    const shown = typeof value === 'string' ? value : typeof stack === 'string' ? stack.split('\n', 1)[0] : JSON.stringify(value);
    line += `  ${paint(DIM, `${key}=`)}${shown}`;
  }
  if (record.trace_id) line += `  ${paint(DIM, `trace=${record.trace_id.slice(0, 8)}`)}`;
  for (const stack of stacks) line += `\n${pad}${stack.replace(/^/gm, '    ')}`;
  return line;
}
