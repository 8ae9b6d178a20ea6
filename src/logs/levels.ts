// The six log levels of design.md, in one table: winston's numeric order (lower
// is more severe, as winston expects), the OpenTelemetry SeverityNumber, and the
// colour of the pretty format.

export const LEVEL_NAMES = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LevelName = (typeof LEVEL_NAMES)[number];

/** winston `levels`: lower is more severe. */
export const WINSTON_LEVELS: Record<LevelName, number> = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };

/** OpenTelemetry SeverityNumber for each level (design.md: 21, 17, 13, 9, 5, 1). */
export const SEVERITY_NUMBER: Record<LevelName, number> = { fatal: 21, error: 17, warn: 13, info: 9, debug: 5, trace: 1 };

/** SeverityText as OpenTelemetry's own log bridges write it. */
export const SEVERITY_TEXT: Record<LevelName, string> = { fatal: 'FATAL', error: 'ERROR', warn: 'WARN', info: 'INFO', debug: 'DEBUG', trace: 'TRACE' };

/** ANSI colours of the pretty format. */
export const LEVEL_COLOUR: Record<LevelName, string> = {
  fatal: '\x1b[41;97m',
  error: '\x1b[31m',
  warn: '\x1b[33m',
  info: '\x1b[32m',
  debug: '\x1b[36m',
  trace: '\x1b[90m',
};

export function isLevelName(value: unknown): value is LevelName {
  return typeof value === 'string' && Object.hasOwn(WINSTON_LEVELS, value);
}

/** Whether a record at `level` passes a minimum of `minimum`. */
export function passes(level: LevelName, minimum: LevelName): boolean {
  return WINSTON_LEVELS[level] <= WINSTON_LEVELS[minimum];
}
