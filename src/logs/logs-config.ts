// Logging settings from the environment and start() options: minimum level (with
// per-logger overrides), output format, the console bridge, and which records
// become span events. Like src/config.ts it never throws: each bad value is one
// warning (variable, bad part, value used) and a default.

import { type Env, Warnings, firstSet, readBoolean, readChoice } from '../env.js';
import { LEVEL_NAMES, type LevelName, isLevelName } from './levels.js';

export type LogFormat = 'json' | 'pretty';

/** Logging options of start(); the CALLSCOPE_* variables named on each field win over them. */
export interface LogsOptions {
  /** Minimum level, optionally with per-logger overrides: 'info,db=debug'. Overridden by CALLSCOPE_LOG_LEVEL, then LOG_LEVEL. Default 'info'. */
  level?: string;
  /** 'json' or 'pretty'. Overridden by CALLSCOPE_LOG_FORMAT. Default: pretty on a TTY outside NODE_ENV=production, else json. */
  format?: LogFormat;
  /** The console.* bridge. Overridden by CALLSCOPE_CONSOLE (on/off). Default true. */
  console?: boolean;
  /** Records at this level and above are also events on the active span; 'off' for none. Overridden by CALLSCOPE_LOG_SPAN_EVENTS. Default 'warn'. */
  spanEvents?: LevelName | 'off';
}

export interface LogsSettings {
  level: LevelName;
  /** Per-logger minimum levels, longest name first (the most specific match wins). */
  loggerLevels: [name: string, level: LevelName][];
  format: LogFormat;
  console: boolean;
  spanEvents: LevelName | 'off';
}

// Names other tools use in LOG_LEVEL, read as the nearest of ours.
const ALIASES: Record<string, LevelName> = { warning: 'warn', critical: 'fatal', panic: 'fatal', verbose: 'debug', silly: 'trace', all: 'trace' };

export function resolveLogsSettings(options: LogsOptions = {}, env: Env = process.env, warnings = new Warnings()): LogsSettings {
  const levelVar = firstSet(env, 'CALLSCOPE_LOG_LEVEL', 'LOG_LEVEL');
  const { level, loggerLevels } = parseLevels(warnings, levelVar?.name ?? 'logs.level', levelVar?.value ?? options.level);

  const formatVar = env.CALLSCOPE_LOG_FORMAT !== undefined ? 'CALLSCOPE_LOG_FORMAT' : 'logs.format';
  const format = readChoice(warnings, formatVar, env.CALLSCOPE_LOG_FORMAT ?? options.format, ['json', 'pretty'] as const, defaultFormat(env));

  const consoleOn = env.CALLSCOPE_CONSOLE !== undefined
    ? readBoolean(warnings, 'CALLSCOPE_CONSOLE', env.CALLSCOPE_CONSOLE, true)
    : options.console ?? true;

  const eventsVar = env.CALLSCOPE_LOG_SPAN_EVENTS !== undefined ? 'CALLSCOPE_LOG_SPAN_EVENTS' : 'logs.spanEvents';
  const spanEvents = readChoice(warnings, eventsVar, env.CALLSCOPE_LOG_SPAN_EVENTS ?? options.spanEvents, [...LEVEL_NAMES, 'off'] as const, 'warn');

  return { level, loggerLevels, format, console: consoleOn, spanEvents };
}

function defaultFormat(env: Env): LogFormat {
  return process.stdout.isTTY === true && env.NODE_ENV !== 'production' ? 'pretty' : 'json';
}

/** `info,db=debug,src/ws=warn`: a bare level is the default, `name=level` an override. */
function parseLevels(warnings: Warnings, variable: string, raw: string | undefined): Pick<LogsSettings, 'level' | 'loggerLevels'> {
  let level: LevelName = 'info';
  const loggerLevels: [string, LevelName][] = [];
  if (raw === undefined) return { level, loggerLevels };
  for (const part of raw.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const name = eq >= 0 ? item.slice(0, eq).trim() : '';
    const value = toLevel(eq >= 0 ? item.slice(eq + 1) : item);
    if (value === undefined || (eq >= 0 && name === '')) {
      const used = eq >= 0 ? 'the default level for it' : level;
      warnings.add(variable, `${JSON.stringify(item)} is not a level (${LEVEL_NAMES.join(', ')}) or name=level`, used);
      continue;
    }
    if (eq >= 0) loggerLevels.push([name, value]);
    else level = value;
  }
  loggerLevels.sort((a, b) => b[0].length - a[0].length);
  return { level, loggerLevels };
}

function toLevel(raw: string): LevelName | undefined {
  const value = raw.trim().toLowerCase();
  return isLevelName(value) ? value : ALIASES[value];
}

/**
 * The minimum level of one logger: the longest override whose name is the
 * logger's name, a path prefix of it (`src/db` for `src/db/pool.ts`), or its file
 * name without extension (`db` for `src/db.ts`).
 */
export function levelFor(settings: LogsSettings, loggerName: string): LevelName {
  const base = loggerName.slice(loggerName.lastIndexOf('/') + 1).replace(/\.[cm]?[jt]sx?$/, '');
  for (const [name, level] of settings.loggerLevels) {
    if (loggerName === name || base === name || loggerName.startsWith(`${name}/`) || loggerName.startsWith(`${name}.`)) return level;
  }
  return settings.level;
}
