// Host rules: `host-glob[:port][/path-prefix]=service:category`, the syntax of
// CALLSCOPE_SERVICES and of the built-in host table. Parsing never throws: a bad
// rule becomes one warning naming it, and the other rules still apply.

import { CATEGORIES, type Category, type HostRule } from './rules.js';

export interface CompiledRule {
  /** The rule as written, for warnings and debugging. */
  match: string;
  host: RegExp;
  port: number | undefined;
  pathPrefix: string | undefined;
  service: string;
  category: Category;
}

/** Splits `pattern` into host glob, port and path prefix; undefined when malformed. */
export function compileRule(rule: HostRule): CompiledRule | string {
  const match = String(rule.match ?? '').trim();
  if (match === '') return 'the pattern is empty';
  if (typeof rule.service !== 'string' || rule.service.trim() === '') return 'the service is empty';
  if (!CATEGORIES.includes(rule.category)) return `${JSON.stringify(rule.category)} is not a category (${CATEGORIES.join(', ')})`;
  let rest = match.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = rest.indexOf('/');
  const pathPrefix = slash >= 0 ? rest.slice(slash) : undefined;
  if (slash >= 0) rest = rest.slice(0, slash);
  let host = rest;
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracket) {
    host = bracket[1]!;
    port = bracket[2] === undefined ? undefined : Number(bracket[2]);
  } else {
    const colon = /^([^:]+):(\d+)$/.exec(rest);
    if (colon) {
      host = colon[1]!;
      port = Number(colon[2]);
    }
  }
  if (host === '' || /[\s=,/]/.test(host)) return `${JSON.stringify(match)} is not host-glob[:port][/path]`;
  if (port !== undefined && (port < 1 || port > 65535)) return `port ${port} is out of range`;
  return { match, host: globToRegExp(host), port, pathPrefix, service: rule.service.trim(), category: rule.category };
}

function globToRegExp(glob: string): RegExp {
  const source = glob.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${source}$`);
}

/** Parses `pattern=service:category,…`; invalid entries are reported through `warn` and skipped. */
export function parseRuleList(raw: string, warn: (part: string, problem: string) => void): HostRule[] {
  const rules: HostRule[] = [];
  for (const part of raw.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const eq = entry.lastIndexOf('=');
    const colon = entry.lastIndexOf(':');
    if (eq <= 0 || colon < eq) {
      warn(entry, 'is not pattern=service:category');
      continue;
    }
    rules.push({ match: entry.slice(0, eq).trim(), service: entry.slice(eq + 1, colon).trim(), category: entry.slice(colon + 1).trim().toLowerCase() as Category });
  }
  return rules;
}

/** Compiles rules, reporting each bad one through `warn`. */
export function compileRules(rules: readonly HostRule[], warn: (part: string, problem: string) => void): CompiledRule[] {
  const compiled: CompiledRule[] = [];
  for (const rule of rules) {
    const result = compileRule(rule);
    if (typeof result === 'string') warn(`${rule?.match}=${rule?.service}:${rule?.category}`, result);
    else compiled.push(result);
  }
  return compiled;
}

/**
 * Rules that can match `host:port`, in order, cached per host:port so the globs run
 * once per destination, not once per span. The path prefix (rare) is checked per call.
 */
export class HostMatcher {
  private readonly cache = new Map<string, CompiledRule[]>();
  private readonly rules: readonly CompiledRule[];
  /** Whether any rule has a path prefix (callers then need the request path). */
  readonly hasPathRules: boolean;

  constructor(rules: readonly CompiledRule[]) {
    this.rules = rules;
    this.hasPathRules = rules.some((rule) => rule.pathPrefix !== undefined);
  }

  match(host: string, port: number | undefined, path: string | undefined): CompiledRule | undefined {
    if (this.rules.length === 0) return undefined;
    const key = port === undefined ? host : `${host}:${port}`;
    let candidates = this.cache.get(key);
    if (candidates === undefined) {
      const lower = host.toLowerCase();
      candidates = this.rules.filter((rule) => (rule.port === undefined || rule.port === port) && rule.host.test(lower));
      // Bounded: a crawler calling a million hosts must not grow memory without end.
      if (this.cache.size >= 4096) this.cache.clear();
      this.cache.set(key, candidates);
    }
    for (const rule of candidates) {
      if (rule.pathPrefix === undefined || (path !== undefined && path.startsWith(rule.pathPrefix))) return rule;
    }
    return undefined;
  }
}
