// The external-call settings of Config: CALLSCOPE_SERVICES, CALLSCOPE_SERVICES_FILE,
// CALLSCOPE_SLOW_MS, CALLSCOPE_REDACT and their start() options. Environment
// entries come first (operators can change a deployed app), options after. Never
// throws: each bad part is one warning naming the variable, the part and what is
// used instead; the good parts still apply.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Env, Warnings } from '../env.js';
import { type CompiledRule, compileRules, parseRuleList } from './host-rules.js';
import { CATEGORIES, type Category, DEFAULT_SLOW_MS, type HostRule } from './rules.js';

const requireHere = createRequire(import.meta.url);

/** The yaml package (72 files) is loaded only when a rules file is given: start-up stays fast. */
function loadYaml(): { parse(text: string): unknown } {
  return requireHere('yaml') as { parse(text: string): unknown };
}

export interface SpansOptions {
  /** Extra classification rules; they beat the built-in ones. CALLSCOPE_SERVICES / CALLSCOPE_SERVICES_FILE entries come first. */
  services?: HostRule[] | string;
  /** Slow thresholds per category in ms, e.g. { llm: 20000 }. CALLSCOPE_SLOW_MS entries win. */
  slowMs?: Partial<Record<Category, number>>;
  /** Extra names (headers, query parameters, attribute keys) or `/regex/` values to redact. Added to CALLSCOPE_REDACT. */
  redact?: string[];
}

export interface SpansSettings {
  rules: CompiledRule[];
  slowMs: Record<Category, number>;
  redactNames: string[];
  redactPatterns: RegExp[];
}

export function resolveSpansSettings(options: SpansOptions = {}, env: Env, warnings: Warnings): SpansSettings {
  const warnFor = (variable: string) => (part: string, problem: string) => warnings.add(variable, `rule ${JSON.stringify(part)} ${problem.startsWith('is ') ? problem : `is invalid: ${problem}`}`, 'the other rules');

  const fromEnv = env.CALLSCOPE_SERVICES;
  const envRules = fromEnv ? parseRuleList(fromEnv, warnFor('CALLSCOPE_SERVICES')) : [];
  const file = env.CALLSCOPE_SERVICES_FILE?.trim();
  const fileRules = file ? readRulesFile(file, warnings) : [];
  const optionRules = typeof options.services === 'string' ? parseRuleList(options.services, warnFor('services')) : options.services ?? [];
  const compiled = [
    ...compileRules(envRules, warnFor('CALLSCOPE_SERVICES')),
    ...compileRules(fileRules, warnFor('CALLSCOPE_SERVICES_FILE')),
    ...compileRules(Array.isArray(optionRules) ? optionRules : [], warnFor('services')),
  ];

  const slowMs = { ...DEFAULT_SLOW_MS };
  for (const [category, ms] of Object.entries(options.slowMs ?? {})) setSlow(slowMs, 'slowMs', category, ms, warnings);
  for (const part of (env.CALLSCOPE_SLOW_MS ?? '').split(',')) {
    if (part.trim() === '') continue;
    const [category, ms, extra] = part.split('=');
    if (ms === undefined || extra !== undefined) warnings.add('CALLSCOPE_SLOW_MS', `${JSON.stringify(part.trim())} is not category=ms`, 'the default for it');
    else setSlow(slowMs, 'CALLSCOPE_SLOW_MS', category!.trim(), ms.trim(), warnings);
  }

  const redactNames: string[] = [];
  const redactPatterns: RegExp[] = [];
  const redactEntries = [
    ...(env.CALLSCOPE_REDACT ?? '').split(',').map((entry) => ({ entry, source: 'CALLSCOPE_REDACT' })),
    ...(options.redact ?? []).map((entry) => ({ entry: String(entry), source: 'redact' })),
  ];
  for (const { entry, source } of redactEntries) {
    const text = entry.trim();
    if (text === '') continue;
    const regex = /^\/(.+)\/([a-z]*)$/s.exec(text);
    if (!regex) {
      redactNames.push(text.toLowerCase());
      continue;
    }
    try {
      redactPatterns.push(new RegExp(regex[1]!, regex[2]!.replace(/g/g, '') + 'g'));
    } catch (error) {
      warnings.add(source, `${JSON.stringify(text)} is not a valid regular expression (${(error as Error).message})`, 'the other entries');
    }
  }
  return { rules: compiled, slowMs, redactNames, redactPatterns };
}

function setSlow(slowMs: Record<Category, number>, variable: string, category: string, raw: unknown, warnings: Warnings): void {
  const key = category.toLowerCase() as Category;
  if (!CATEGORIES.includes(key)) {
    warnings.add(variable, `${JSON.stringify(category)} is not a category (${CATEGORIES.join(', ')})`, 'the defaults for the others');
    return;
  }
  const ms = typeof raw === 'number' ? raw : Number(String(raw));
  if (String(raw).trim() === '' || !Number.isFinite(ms) || ms < 0) {
    warnings.add(variable, `${category}=${String(raw)} is not a number of ms >= 0`, String(slowMs[key]));
    return;
  }
  slowMs[key] = ms;
}

/** A JSON or YAML list of {match, service, category}; YAML is a superset of JSON, so one parser reads both. */
function readRulesFile(path: string, warnings: Warnings): HostRule[] {
  let parsed: unknown;
  try {
    parsed = loadYaml().parse(readFileSync(path, 'utf8'));
  } catch (error) {
    warnings.add('CALLSCOPE_SERVICES_FILE', `${path} could not be read (${(error as Error).message.split('\n')[0]})`, 'no rules from it');
    return [];
  }
  if (!Array.isArray(parsed)) {
    warnings.add('CALLSCOPE_SERVICES_FILE', `${path} is not a list of {match, service, category}`, 'no rules from it');
    return [];
  }
  return parsed.map((item) => {
    const rule = (item ?? {}) as Record<string, unknown>;
    return { match: String(rule.match ?? ''), service: String(rule.service ?? ''), category: String(rule.category ?? '').toLowerCase() as Category };
  });
}
