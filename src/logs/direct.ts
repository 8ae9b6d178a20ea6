// Records that do not go through winston: the console bridge and crash capture.
// Same preparation, export and rendering as getLogger's, but written to the
// stream synchronously, so a line is out before a crash exits the process and
// console output keeps its order. Lines are written straight to
// process.stdout/stderr, never through console.* (the bridge would get them back).

import { type LevelName, passes } from './levels.js';
import { levelFor } from './logs-config.js';
import { exportRecord } from './otel-export.js';
import { prepareRecord } from './record.js';
import { render } from './render.js';
import { logsSettings } from './settings.js';

export type StreamName = 'stdout' | 'stderr';

export interface DirectOptions {
  /** Where the line goes; undefined: export only, print nothing. */
  stream?: StreamName;
  /** Indent of the pretty format (console.group depth). */
  indent?: number;
}

/** Logs one record at `level` unless the logger's minimum level filters it out. Never throws. */
export function logDirect(loggerName: string, level: LevelName, message: string, fields: Record<string, unknown>, options: DirectOptions = {}): void {
  try {
    const settings = logsSettings();
    if (!passes(level, levelFor(settings, loggerName))) return;
    const record = prepareRecord({ ...fields, level, message }, loggerName);
    exportRecord(record, settings.spanEvents);
    if (options.stream) writeLine(options.stream, render(record, settings.format, options.indent));
  } catch {
    // Telemetry never throws into the app.
  }
}

export function writeLine(stream: StreamName, line: string): void {
  try {
    (stream === 'stderr' ? process.stderr : process.stdout).write(`${line}\n`);
  } catch {
    // A closed stream (EPIPE) must not take the app down with it.
  }
}
