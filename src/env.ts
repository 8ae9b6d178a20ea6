// Readers for environment variables and option values. Every reader takes the
// raw value and a fallback, and on bad input records ONE warning that names the
// variable, the bad part and what is used instead. Nothing here throws: a typo
// in the environment must never stop the app from starting.

export type Env = Record<string, string | undefined>;

export class Warnings {
  readonly messages: string[] = [];

  add(variable: string, problem: string, usedInstead: string): void {
    // A variable read once per signal (traces, metrics, logs) still warns once.
    const message = `${variable}: ${problem}; using ${usedInstead}`;
    if (!this.messages.includes(message)) this.messages.push(message);
  }
}

/** The value of the first variable that is set to something other than blanks. */
export function firstSet(env: Env, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { name, value: value.trim() };
  }
  return undefined;
}

export function readNumber(
  warnings: Warnings,
  name: string,
  raw: string | number | undefined,
  fallback: number,
  { min = 0, integer = true }: { min?: number; integer?: boolean } = {},
): number {
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw.trim());
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min) {
    const kind = integer ? `an integer >= ${min}` : `a number >= ${min}`;
    warnings.add(name, `${JSON.stringify(raw)} is not ${kind}`, String(fallback));
    return fallback;
  }
  return value;
}

export function readBoolean(warnings: Warnings, name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (value === 'true' || value === '1' || value === 'on' || value === 'yes') return true;
  if (value === 'false' || value === '0' || value === 'off' || value === 'no') return false;
  warnings.add(name, `${JSON.stringify(raw)} is not true/false`, String(fallback));
  return fallback;
}

export function readChoice<T extends string>(
  warnings: Warnings,
  name: string,
  raw: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase() as T;
  if (choices.includes(value)) return value;
  warnings.add(name, `${JSON.stringify(raw)} is not one of ${choices.join(', ')}`, fallback);
  return fallback;
}

/** An absolute http(s) URL, or undefined (with a warning) when malformed. */
export function readUrl(warnings: Warnings, name: string, raw: string, usedInstead: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    warnings.add(name, `${JSON.stringify(raw)} is not a valid URL`, usedInstead);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    warnings.add(name, `${JSON.stringify(raw)} must start with http:// or https://`, usedInstead);
    return undefined;
  }
  return url;
}

/**
 * `key=value,key2=value2` as OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS
 * write it (values percent-encoded). A malformed pair is skipped with a warning;
 * the well-formed ones still apply.
 */
export function readKeyValueList(warnings: Warnings, name: string, raw: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (raw === undefined || raw.trim() === '') return result;
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    if (key === '') {
      warnings.add(name, `${JSON.stringify(part.trim())} is not key=value`, 'the other entries');
      continue;
    }
    let value = part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      warnings.add(name, `the value of ${JSON.stringify(key)} is not valid percent-encoding`, 'it as written');
    }
    result[key] = value;
  }
  return result;
}

/** Comma-separated names, trimmed, blanks dropped. */
export function readList(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
