// Redaction, the last line before export (design.md, "Redaction"). Values of
// headers, query parameters and attributes with sensitive names; URL userinfo;
// and secret-shaped values (sk-… keys, AWS access key ids, JWTs, Bearer/Basic
// tokens) anywhere in a string become [REDACTED]. The undici/fetch and http
// instrumentations write url.full / url.query raw, so presigned S3 URLs and
// `?api_key=` would otherwise leave the process.
//
// Two regular expressions, run only when one cheap test says either could match
// (most strings have no trigger at all); the result is idempotent (redacting
// twice changes nothing), which the property tests check.

export const REDACTED = '[REDACTED]';

export const SENSITIVE_NAMES: readonly string[] = [
  'authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'api_key', 'apikey',
  'x-amz-security-token', 'x-amz-signature', 'x-amz-credential', 'sig', 'signature', 'token', 'access_token',
  'refresh_token', 'id_token', 'password', 'passwd', 'secret', 'client_secret', 'key',
];

// Attribute keys whose last segment is a sensitive name but whose value is not a
// secret (an S3 object key is a path users need to see).
const NOT_SECRET_KEYS = new Set(['aws.s3.key', 'messaging.kafka.message.key', 'messaging.kafka.message_key']);

// Semantic-convention keys whose values are enumerations, host names, addresses,
// model names or ids, never credentials, and our own attributes. The built-in
// scan skips them (most string attributes of a span are these, and the scan is
// all that redaction costs); a sensitive name from CALLSCOPE_REDACT and the
// user's own patterns still apply to them.
const STRUCTURAL_KEYS = new Set([
  'http.request.method', 'http.request.method_original', 'http.method', 'http.route', 'http.scheme', 'http.flavor', 'url.scheme',
  'server.address', 'client.address', 'network.peer.address', 'network.local.address', 'network.protocol.name',
  'network.protocol.version', 'network.transport', 'network.type', 'net.peer.name', 'net.peer.ip', 'net.host.name', 'net.transport',
  'gen_ai.system', 'gen_ai.provider.name', 'gen_ai.operation.name', 'gen_ai.request.model', 'gen_ai.response.model', 'gen_ai.response.id',
  'rpc.system', 'rpc.service', 'rpc.method', 'cloud.region', 'cloud.provider', 'aws.region', 'aws.request.id',
  'db.system', 'db.system.name', 'db.operation', 'db.operation.name', 'messaging.system', 'messaging.operation', 'messaging.operation.type',
  'messaging.operation.name', 'error.type', 'server.service.name', 'peer.service',
  'callscope.service.name', 'callscope.service.category', 'callscope.severity', 'callscope.ws.connection_id',
]);

// Strings shorter than this cannot hold anything we redact (`key=abcd` is 8).
const MIN_LENGTH = 8;

// Secret shapes, case-sensitive as they are issued: Bearer/Basic credentials,
// OpenAI/Anthropic keys, AWS access key ids, JWTs.
const SHAPES = new RegExp(
  [
    String.raw`\b([Bb]earer|[Bb]asic)\s+[A-Za-z0-9._~+/=-]{8,}`,
    String.raw`\bsk-[A-Za-z0-9_-]{16,}`,
    String.raw`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`,
    String.raw`\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`,
  ].join('|'),
  'g',
);
// One scan says whether either expression below could match; most strings
// (methods, hosts, paths, user agents) have no trigger and cost just this test.
const TRIGGERS = /[=@"']|sk-|AKIA|ASIA|eyJ|earer|asic/;
const SHAPE_TRIGGERS = /sk-|AKIA|ASIA|eyJ|earer|asic/;

// name=value pairs (query strings, form bodies, log text, SQL: `password = 'x'`),
// "name": "value" (JSON), URL userinfo, and SQL's keyword form (`PASSWORD 'x'`,
// MySQL's `IDENTIFIED BY 'x'`). Any name matches here; the callback keeps only
// sensitive ones, which is much cheaper than an alternation of every name at
// every position. A quoted value may run to the end of the text: a statement
// cut short by a length limit still loses its secret.
const SINGLE_QUOTED = String.raw`'(?:[^'\\]|\\.|'')*(?:'|$)`;
const QUOTED = String.raw`${SINGLE_QUOTED}|"(?:[^"\\]|\\.)*(?:"|$)`;
const PAIRS = new RegExp(
  [
    String.raw`(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@`,
    // Spaces around `=` only before a quoted value (SQL): `n= x` in prose is not a pair.
    String.raw`(?<![\w.-])([\w.-]+)(\s*=\s*(?=['"])|=)(${QUOTED}|[^&#\s"',;]+)`,
    String.raw`("([\w.-]+)"\s*:\s*)"[^"]*"`,
    String.raw`(\b(?:password|identified\s+by)\s+)${SINGLE_QUOTED}`,
  ].join('|'),
  'gi',
);
// A quoted value starting exactly here (QUOTED_AT.lastIndex = its quote).
const QUOTED_AT = new RegExp(QUOTED, 'y');
// Whether the keyword form can be in a text (it has a quote, which TRIGGERS lets through).
const SQL_KEYWORD = /\b(?:password|identified\s+by)\s+'/i;
// Where the keyword form's quoted value starts.
const SQL_KEYWORD_GLOBAL = /\b(?:password|identified\s+by)\s+(?=')/gi;

/** What a key says about its string values: scan them for secret shapes and pairs;
 * the whole value is a secret; or STRUCTURAL_KEYS, where only the user's patterns apply. */
const KeyKind = { Scan: 0, Secret: 1, Structural: 2 } as const;
type KeyKind = (typeof KeyKind)[keyof typeof KeyKind];

/** `replacement` in the quotes `value` was in (a SQL or shell literal stays a literal). */
function quoted(value: string, replacement: string): string {
  return isQuoted(value) ? `${value[0]}${replacement}${value[0]}` : replacement;
}

function isQuoted(value: string): boolean {
  return value[0] === "'" || value[0] === '"';
}

/** What `\s` in PAIRS matches (ASCII first: the common case needs no regex). */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || (code > 127 && /\s/.test(String.fromCharCode(code)));
}

/** [A-Za-z0-9_.-]: the characters of a parameter name in PAIRS. */
function isNameChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 46 || code === 45;
}

/** `text` with the quoted value that starts at `at` (if one does) redacted, its quotes kept. */
function redactQuotedAt(text: string, at: number): string {
  QUOTED_AT.lastIndex = at;
  const value = QUOTED_AT.exec(text)?.[0];
  if (value === undefined) return text;
  const closed = value.length > 1 && value.endsWith(value[0]!);
  const inside = value.slice(1, closed ? -1 : undefined);
  // Nothing to hide (a lone quote at the end), or already redacted (the usual case: PAIRS matched it).
  if (inside === '' || inside === REDACTED) return text;
  return `${text.slice(0, at)}${value[0]}${REDACTED}${closed ? value[0] : ''}${text.slice(at + value.length)}`;
}

export class Redactor {
  private readonly names: Set<string>;
  private readonly extraPatterns: RegExp[];
  private readonly keyCache = new Map<string, KeyKind>();

  constructor(extraNames: readonly string[] = [], extraPatterns: readonly RegExp[] = []) {
    this.names = new Set([...SENSITIVE_NAMES, ...extraNames.map((name) => name.toLowerCase())]);
    this.extraPatterns = extraPatterns.map((pattern) => new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g'));
  }

  /** Whether an attribute key or header/parameter name names a secret (whole, or its last dotted segment). */
  isSensitiveKey(key: string): boolean {
    return this.keyKind(key) === KeyKind.Secret;
  }

  /** What to do with a string under `key`, decided once per key (one Map lookup per attribute after that). */
  private keyKind(key: string): KeyKind {
    let kind = this.keyCache.get(key);
    if (kind === undefined) {
      const lower = key.toLowerCase();
      // A name matches the whole key (`client.address`) or its last dotted segment (`app.password`).
      if (!NOT_SECRET_KEYS.has(lower) && (this.names.has(lower) || this.names.has(lower.slice(lower.lastIndexOf('.') + 1)))) kind = KeyKind.Secret;
      else kind = STRUCTURAL_KEYS.has(key) ? KeyKind.Structural : KeyKind.Scan;
      if (this.keyCache.size < 10000) this.keyCache.set(key, kind);
    }
    return kind;
  }

  redactString(text: string): string {
    let result = this.redactOnce(text);
    // A redaction can expose another match (replacing `?` in `x://password=?"@` lets the
    // userinfo pattern span the rest), so repeat until nothing changes: the result is a
    // fixed point, which makes redaction idempotent. Text without secrets takes one pass.
    for (let pass = 0; pass < 4 && result !== text; pass++) {
      text = result;
      result = this.redactOnce(text);
    }
    return result;
  }

  private redactOnce(text: string): string {
    if (text.length < MIN_LENGTH || !TRIGGERS.test(text)) return this.redactExtra(text);
    let result = text;
    // Shapes first: pair redaction only shortens tokens, so it cannot create a new shape afterwards.
    if (SHAPE_TRIGGERS.test(result)) {
      result = result.replace(SHAPES, (_match, scheme) => (scheme !== undefined ? `${scheme} ${REDACTED}` : REDACTED));
    }
    if (this.mayHavePair(result)) result = this.redactQuotedAfterNames(this.redactPairs(result, 0));
    return this.redactExtra(result);
  }

  /**
   * PAIRS over `text`. The value of a name that is not sensitive is redacted on its own
   * (see redactInside); past a few levels of nesting the whole value is redacted (no
   * legitimate text nests pairs that deep).
   */
  private redactPairs(text: string, depth: number): string {
    return text.replace(PAIRS, (match, scheme, name, equals, value, jsonKey, jsonName, keyword) => {
      if (scheme !== undefined) return `${scheme}${REDACTED}@`;
      if (keyword !== undefined) return `${keyword}'${REDACTED}'`;
      if (name !== undefined) {
        if (this.names.has(name.toLowerCase())) return `${name}${equals}${quoted(value, REDACTED)}`;
        return `${name}${equals}${this.redactInside(value, depth)}`;
      }
      if (this.names.has(jsonName.toLowerCase())) return `${jsonKey}"${REDACTED}"`;
      return `${jsonKey}${this.redactInside(match.slice(jsonKey.length), depth)}`;
    });
  }

  /**
   * A value under a name that is not sensitive, with its inside redacted: the match consumed
   * it (`msg="token=abc"`, `next=?password=x`), so nothing else looked at it.
   */
  private redactInside(value: string, depth: number): string {
    const quote = isQuoted(value) ? value[0]! : '';
    const closed = quote !== '' && value.length > 1 && value.endsWith(quote);
    const inside = value.slice(quote.length, closed ? -1 : undefined);
    if (!this.mayHavePair(inside)) return value;
    return depth >= 4 ? quoted(value, REDACTED) : `${quote}${this.redactPairs(inside, depth + 1)}${closed ? quote : ''}`;
  }

  /**
   * Whether PAIRS could change `text`: userinfo (`://…@`), a JSON key, or a
   * `name=` whose name is sensitive. Query strings are common (`?x-id=GetObject`)
   * and almost never hold a sensitive name; looking the names up is much cheaper
   * than running the replacement over them.
   */
  private mayHavePair(text: string): boolean {
    if (text.includes('"') || (text.includes('@') && text.includes('://'))) return true;
    if (text.includes("'") && SQL_KEYWORD.test(text)) return true;
    return this.nextSensitiveEquals(text, 0) !== -1;
  }

  /** The next `=` at or after `from` that follows a sensitive name (spaces allowed between), or -1. */
  private nextSensitiveEquals(text: string, from: number): number {
    for (let eq = text.indexOf('=', from); eq !== -1; eq = text.indexOf('=', eq + 1)) {
      let end = eq;
      while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--; // `password = 'x'`
      let start = end;
      while (start > 0 && isNameChar(text.charCodeAt(start - 1))) start--;
      if (start < end && this.names.has(text.slice(start, end).toLowerCase())) return eq;
    }
    return -1;
  }

  /**
   * The quoted value after every sensitive `name =` and SQL keyword (`PASSWORD '…'`), wherever
   * PAIRS' left-to-right matching put it: in `x=" password = "s3cret"` the pair `x=" password = "`
   * takes the quote that opens the secret as its own closing one, and the secret is left outside
   * any match.
   */
  private redactQuotedAfterNames(text: string): string {
    let result = text;
    for (let eq = this.nextSensitiveEquals(result, 0); eq !== -1; eq = this.nextSensitiveEquals(result, eq + 1)) {
      let at = eq + 1;
      while (at < result.length && isSpace(result.charCodeAt(at))) at++;
      result = redactQuotedAt(result, at);
    }
    if (!result.includes("'")) return result;
    SQL_KEYWORD_GLOBAL.lastIndex = 0;
    for (let match = SQL_KEYWORD_GLOBAL.exec(result); match !== null; match = SQL_KEYWORD_GLOBAL.exec(result)) {
      result = redactQuotedAt(result, match.index + match[0].length);
    }
    return result;
  }

  /** CALLSCOPE_REDACT regular expressions (user-given, so no prefilter). */
  private redactExtra(text: string): string {
    if (this.extraPatterns.length === 0) return text;
    let result = text;
    for (const pattern of this.extraPatterns) result = result.replace(pattern, REDACTED);
    return result;
  }

  /** A redacted copy of an attribute value (strings and string arrays; other types pass through). */
  redactValue(key: string, value: unknown): unknown {
    if (typeof value === 'string') {
      const kind = this.keyKind(key);
      return kind === KeyKind.Scan ? this.redactString(value) : kind === KeyKind.Secret ? REDACTED : this.redactExtra(value);
    }
    if (Array.isArray(value)) {
      if (this.isSensitiveKey(key)) return value.map((item) => (typeof item === 'string' ? REDACTED : item));
      let changed = false;
      const copy = value.map((item) => {
        if (typeof item !== 'string') return item;
        const redacted = this.redactString(item);
        changed ||= redacted !== item;
        return redacted;
      });
      return changed ? copy : value;
    }
    return value;
  }

  /** Redacts an attribute map in place. */
  redactAttributes(attributes: Record<string, unknown>): void {
    for (const key in attributes) {
      const value = attributes[key];
      const redacted = this.redactValue(key, value);
      if (redacted !== value) attributes[key] = redacted;
    }
  }

  /** Log bodies may be strings or structured maps; walk them (bounded depth). */
  redactAny(key: string, value: unknown, depth = 0): unknown {
    if (value === null || typeof value !== 'object' || depth > 8) return this.redactValue(key, value);
    if (Array.isArray(value)) return this.redactValue(key, value.map((item) => this.redactAny(key, item, depth + 1)));
    if (value instanceof Uint8Array) return value;
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = this.redactAny(k, v, depth + 1);
    return copy;
  }
}
