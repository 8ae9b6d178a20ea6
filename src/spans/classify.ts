// Which external service an outbound span reached and what kind of service it
// is. Order (first hit wins): explicit callscope.* attributes; the enclosing
// outbound span (an SDK call's HTTP transport belongs to the SDK call); user
// host rules; gen_ai.*; AWS SDK; db.system; messaging.system; built-in hosts;
// internal addresses; otherwise `http` with the host as service. Host decisions
// are cached per host:port, so the table is walked once per destination.

import type { Attributes } from '@opentelemetry/api';
import { type CompiledRule, HostMatcher, compileRules } from './host-rules.js';
import { BUILTIN_RULES, CATEGORIES, type Category } from './rules.js';

/** A rule-table entry for `key`, never an Object.prototype member ("valueOf", "constructor"…). */
function lookup<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export const ATTR_SERVICE = 'callscope.service.name';
export const ATTR_CATEGORY = 'callscope.service.category';

export interface Classification {
  readonly service: string;
  readonly category: Category;
}

// Classify() returns one shared object per (service, category): CallMetrics finds a
// call's series by that identity instead of building a string key per call.
const interned = new Map<string, Partial<Record<Category, Classification>>>();
function intern(service: string, category: Category): Classification {
  let byCategory = interned.get(service);
  if (byCategory === undefined) {
    if (interned.size >= 4096) interned.clear(); // many distinct hosts: start over rather than grow
    byCategory = {};
    interned.set(service, byCategory);
  }
  return (byCategory[category] ??= { service, category });
}

interface Destination {
  host: string;
  port: number | undefined;
  path: string | undefined;
  scheme: string | undefined;
}

const builtinHosts = new HostMatcher(compileRules(BUILTIN_RULES.hosts, () => {}));
const internalHosts = new HostMatcher(
  compileRules(BUILTIN_RULES.internal.hosts.map((match) => ({ match, service: '-', category: 'internal' as const })), () => {}),
);
const internalCidrs = BUILTIN_RULES.internal.cidrs.map((cidr) => {
  const [base, bits] = cidr.split('/');
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return { net: (ipv4(base!)! & mask) >>> 0, mask };
});

export class Classifier {
  private readonly user: HostMatcher;
  private readonly hostCache = new Map<string, Classification>();

  constructor(userRules: readonly CompiledRule[] = []) {
    this.user = new HostMatcher(userRules);
  }

  classify(attrs: Attributes, inherited: Classification | undefined): Classification {
    const explicitService = str(attrs[ATTR_SERVICE]);
    const explicitCategory = str(attrs[ATTR_CATEGORY]);
    if (explicitService !== undefined && isCategory(explicitCategory)) return intern(explicitService, explicitCategory);
    const found = inherited ?? this.fromAttributes(attrs);
    return intern(explicitService ?? found.service, isCategory(explicitCategory) ? explicitCategory : found.category);
  }

  private fromAttributes(attrs: Attributes): Classification {
    const destination = destinationOf(attrs, this.user.hasPathRules);
    if (destination) {
      const rule = this.user.match(destination.host, destination.port, destination.path);
      if (rule) return { service: rule.service, category: rule.category };
    }
    return fromSemantics(attrs) ?? (destination ? this.fromHost(destination) : { service: 'unknown', category: 'http' });
  }

  private fromHost({ host, port, scheme }: Destination): Classification {
    const key = `${scheme ?? ''}|${host}|${port ?? ''}`;
    let decision = this.hostCache.get(key);
    if (decision === undefined) {
      decision = hostDecision(host.toLowerCase(), port, scheme);
      if (this.hostCache.size >= 4096) this.hostCache.clear();
      this.hostCache.set(key, decision);
    }
    return decision;
  }
}

/** gen_ai, AWS SDK, database and messaging attributes: the provider decides, not the host. */
function fromSemantics(attrs: Attributes): Classification | undefined {
  const provider = str(attrs['gen_ai.provider.name']) ?? str(attrs['gen_ai.system']);
  if (provider !== undefined) {
    const service = lookup(BUILTIN_RULES.genAiProviders, provider) ?? provider;
    return { service, category: isEmbedding(attrs) ? 'embeddings' : 'llm' };
  }
  if (attrs['rpc.system'] === 'aws-api') {
    const name = str(attrs['rpc.service']) ?? 'unknown';
    const known = lookup(BUILTIN_RULES.awsServices, name);
    if (!known) return { service: `aws.${kebab(name)}`, category: 'http' };
    return known.category === 'llm' && isEmbedding(attrs) ? { service: known.service, category: 'embeddings' } : known;
  }
  const db = str(attrs['db.system.name']) ?? str(attrs['db.system']);
  if (db !== undefined) return { service: db, category: lookup(BUILTIN_RULES.dbCategories, db) ?? 'database' };
  const messaging = str(attrs['messaging.system']);
  if (messaging !== undefined) return { service: lookup(BUILTIN_RULES.messagingServices, messaging) ?? messaging, category: 'queue' };
  return undefined;
}

function isEmbedding(attrs: Attributes): boolean {
  const operation = str(attrs['gen_ai.operation.name']);
  if (operation !== undefined && (BUILTIN_RULES.embeddingOperations as readonly string[]).includes(operation)) return true;
  const model = str(attrs['gen_ai.request.model'])?.toLowerCase();
  if (model === undefined) return false;
  // Bedrock model ids may carry a region prefix (us.cohere.embed-…) or be an ARN (…/amazon.titan-embed-…).
  return BUILTIN_RULES.embeddingModelPrefixes.some((prefix) => model.startsWith(prefix) || model.includes(`.${prefix}`) || model.includes(`/${prefix}`));
}

function hostDecision(host: string, port: number | undefined, scheme: string | undefined): Classification {
  const builtin = builtinHosts.match(host, port, undefined);
  if (builtin) return { service: builtin.service, category: builtin.category };
  const withPort = port === undefined || port === 80 || port === 443 ? host : `${host}:${port}`;
  if (host.endsWith('.amazonaws.com')) {
    const labels = host.split('.');
    for (const label of labels) {
      const known = lookup(BUILTIN_RULES.awsHostPrefixes, label);
      if (known) return known;
    }
    return { service: `aws.${labels[0]}`, category: 'http' };
  }
  if (isInternal(host)) return { service: withPort, category: 'internal' };
  const websocket = scheme !== undefined && (BUILTIN_RULES.websocketSchemes as readonly string[]).includes(scheme);
  return { service: withPort, category: websocket ? 'websocket' : 'http' };
}

export function isInternal(host: string): boolean {
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  const v4 = ipv4(bare.startsWith('::ffff:') ? bare.slice(7) : bare);
  if (v4 !== undefined) return internalCidrs.some(({ net, mask }) => ((v4 & mask) >>> 0) === net);
  return internalHosts.match(bare, undefined, undefined) !== undefined;
}

function ipv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = [m[1], m[2], m[3], m[4]].map(Number);
  if (parts.some((part) => part > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/**
 * Host, port and path of an outbound span, from the stable and the older HTTP/network
 * conventions. The URL is parsed only when the attributes do not say it already
 * (the path only matters for user rules with a path prefix).
 */
function destinationOf(attrs: Attributes, wantPath: boolean): Destination | undefined {
  let host = str(attrs['server.address']) ?? str(attrs['net.peer.name']);
  let port = num(attrs['server.port']) ?? num(attrs['net.peer.port']);
  let path = wantPath ? str(attrs['url.path']) ?? str(attrs['http.target']) : undefined;
  let scheme = str(attrs['url.scheme']);
  if (host === undefined || (wantPath && path === undefined) || scheme === undefined) {
    const url = str(attrs['url.full']) ?? str(attrs['http.url']);
    const parsed = url !== undefined ? splitUrl(url) : undefined;
    host ??= parsed?.host ?? str(attrs['http.host']);
    port ??= parsed?.port;
    if (wantPath) path ??= parsed?.path;
    scheme ??= parsed?.scheme;
  }
  return host === undefined ? undefined : { host, port, path, scheme };
}

/** A cheap URL split (no URL object per span): scheme, host, port, path. */
function splitUrl(url: string): { scheme: string; host: string; port: number | undefined; path: string } | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d+))?([^?#]*)/i.exec(url);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const port = m[3] !== undefined ? Number(m[3]) : scheme === 'https' || scheme === 'wss' ? 443 : 80;
  return { scheme, host: m[2]!, port, path: m[4] || '/' };
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/[\s_]+/g, '-').toLowerCase();
}

function isCategory(value: string | undefined): value is Category {
  return value !== undefined && (CATEGORIES as readonly string[]).includes(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}
