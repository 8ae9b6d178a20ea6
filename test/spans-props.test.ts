// Property-based tests (fast-check) for the pure parts: the rule parser and host
// matcher never throw on any input; the redactor never throws, is idempotent, and
// removes generated secrets wherever they sit in a string. Plus the classifier
// on the shapes instrumentations produce, and the processors on arbitrary spans.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Classifier, isInternal } from '../src/spans/classify.ts';
import { HostMatcher, compileRules, parseRuleList } from '../src/spans/host-rules.ts';
import { REDACTED, Redactor } from '../src/spans/redact.ts';
import { Warnings } from '../src/env.ts';
import { resolveSpansSettings } from '../src/spans/spans-config.ts';
import { CATEGORIES } from '../src/spans/rules.ts';
import { CallMetrics } from '../src/spans/call-metrics.ts';
import { errorTypeOf } from '../src/spans/severity.ts';
import { callSpanProcessors, recordOutbound } from '../src/spans/pipeline.ts';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { AlwaysOnSampler, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

const CATEGORY_NAMES: readonly string[] = CATEGORIES;

const redactor = new Redactor(['x-internal-auth'], [/corp-[0-9]{4}/]);
const alnum = fc.stringMatching(/^[A-Za-z0-9]{24,40}$/);

/** Secret shapes from design.md, each with the bytes that must disappear. */
const secretArb = fc.oneof(
  alnum.map((s) => ({ text: `sk-${s}`, secret: s })),
  fc.stringMatching(/^[A-Z0-9]{16}$/).map((s) => ({ text: `AKIA${s}`, secret: `AKIA${s}` })),
  fc.tuple(alnum, alnum, alnum).map(([a, b, c]) => ({ text: `eyJ${a}.${b}.${c}`, secret: c })),
  alnum.map((s) => ({ text: `Bearer ${s}`, secret: s })),
  fc.tuple(fc.constantFrom('password', 'api_key', 'X-Amz-Signature', 'token', 'client_secret', 'x-internal-auth'), alnum).map(([name, s]) => ({ text: `?${name}=${s}`, secret: s })),
  alnum.map((s) => ({ text: `https://user:${s}@example.com/`, secret: s })),
  // SQL and log text: quoted values, the keyword forms, a pair inside another name's value.
  fc.tuple(fc.constantFrom(`password='#'`, `PASSWD = "#"`, `WITH PASSWORD '#'`, `IDENTIFIED BY '#'`, `msg='retry token=#'`, `next=?api_key=#`), alnum)
    .map(([form, s]) => ({ text: form.replace('#', s), secret: s })),
);

describe('redactor', () => {
  test('never throws and is idempotent on any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
      const once = redactor.redactString(text);
      assert.equal(redactor.redactString(once), once);
    }), { numRuns: 3000 });
  });

  test('is idempotent on text full of near-secrets', () => {
    const pieces = fc.constantFrom('sk-', 'AKIA', 'eyJ', '.', 'Bearer ', 'Basic ', 'password=', '"token": "', '"', '://', '@', '?', '&', 'key=', '[REDACTED]', ' ', 'abcdefghijklmnop', 'ABCDEFGHIJKLMNOP', '0123456789',
      "'", ' = ', '=', "''", '\\', 'PASSWORD ', 'identified by ', 'msg=');
    fc.assert(fc.property(fc.array(pieces, { maxLength: 30 }).map((parts) => parts.join('')), (text) => {
      const once = redactor.redactString(text);
      assert.equal(redactor.redactString(once), once, JSON.stringify(text));
    }), { numRuns: 5000 });
  });

  test('removes a secret wherever it sits', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), secretArb, fc.string({ maxLength: 40 }), (before, { text, secret }, after) => {
      const out = redactor.redactString(`${before} ${text} ${after}`);
      assert.ok(!out.includes(secret), `${JSON.stringify(out)} still has ${secret}`);
      assert.ok(out.includes(REDACTED));
    }), { numRuns: 3000 });
  });

  test('a secret whose opening quote an earlier pair took as its own closing quote (found by the property above)', () => {
    for (const [text, expected] of [
      ['0=" PASSWD = "Aa0A000aAAaAAaaa0aaA0AAa" ', `0=" PASSWD = "${REDACTED}" `],
      ["0=' IDENTIFIED BY '0aAAAAaAA0aAaa0aAaA00AaA' ", `0=' IDENTIFIED BY '${REDACTED}' `],
    ]) {
      assert.equal(redactor.redactString(text!), expected);
    }
  });

  test('sensitive attribute names, values and arrays', () => {
    const attrs: Record<string, unknown> = {
      'http.request.header.authorization': ['Basic dXNlcjpwYXNz'], 'app.password': 'x', 'aws.s3.key': 'photos/1.jpg',
      'url.full': 'https://b.s3.amazonaws.com/k?X-Amz-Signature=abcdef123456', count: 3, note: 'corp-1234 here',
    };
    redactor.redactAttributes(attrs);
    assert.deepEqual(attrs, {
      'http.request.header.authorization': [REDACTED], 'app.password': REDACTED, 'aws.s3.key': 'photos/1.jpg',
      'url.full': `https://b.s3.amazonaws.com/k?X-Amz-Signature=${REDACTED}`, count: 3, note: `${REDACTED} here`,
    });
  });

  test('structural keys skip the built-in scan, but names and patterns the user adds still apply to them', () => {
    const user = new Redactor(['client.address'], [/corp-[0-9]{4}/]);
    const attrs: Record<string, unknown> = {
      'client.address': '10.1.2.3', 'server.address': 'corp-1234.internal', 'http.route': '/users/:id',
      'url.query': 'x-id=GetObject&api_key=sk-live', 'url.path': '/v1/key=abcdefgh',
    };
    user.redactAttributes(attrs);
    assert.deepEqual(attrs, {
      'client.address': REDACTED, 'server.address': `${REDACTED}.internal`, 'http.route': '/users/:id',
      'url.query': `x-id=GetObject&api_key=${REDACTED}`, 'url.path': `/v1/key=${REDACTED}`,
    });
  });
});

describe('rules', () => {
  test('the parser, compiler and matcher never throw', () => {
    fc.assert(fc.property(fc.string({ maxLength: 120 }), fc.string({ maxLength: 40 }), fc.option(fc.integer({ min: 0, max: 70000 })), fc.string({ maxLength: 30 }), (raw, host, port, path) => {
      const warnings: string[] = [];
      const rules = compileRules(parseRuleList(raw, (part, problem) => warnings.push(`${part} ${problem}`)), (part, problem) => warnings.push(`${part} ${problem}`));
      new HostMatcher(rules).match(host, port ?? undefined, path);
      new Classifier(rules).classify({ 'server.address': host, 'server.port': port ?? undefined, 'url.path': path }, undefined);
    }), { numRuns: 3000 });
  });

  test('globs, ports and path prefixes; user rules beat built-ins', () => {
    const warnings = new Warnings();
    const settings = resolveSpansSettings({}, {
      CALLSCOPE_SERVICES: 'api.stripe.com=payments:http,*.pinecone.io=pinecone:database,127.0.0.1:8080/v1=local-llm:llm,bad-rule,x=y:nonsense',
      CALLSCOPE_SLOW_MS: 'llm=20000,database=abc,nope=5',
    }, warnings);
    assert.equal(settings.rules.length, 3);
    assert.equal(settings.slowMs.llm, 20000);
    assert.equal(settings.slowMs.database, 1000);
    assert.equal(warnings.messages.length, 4, warnings.messages.join('\n'));
    for (const message of warnings.messages) assert.match(message, /^CALLSCOPE_(SERVICES|SLOW_MS): .*; using /);
    const classifier = new Classifier(settings.rules);
    const at = (host: string, port?: number, path?: string) => classifier.classify({ 'server.address': host, 'server.port': port, 'url.path': path }, undefined);
    assert.deepEqual(at('api.stripe.com', 443), { service: 'payments', category: 'http' });
    assert.deepEqual(at('idx-1.svc.us-east1.pinecone.io', 443), { service: 'pinecone', category: 'database' });
    assert.deepEqual(at('127.0.0.1', 8080, '/v1/chat'), { service: 'local-llm', category: 'llm' });
    assert.deepEqual(at('127.0.0.1', 8080, '/health'), { service: '127.0.0.1:8080', category: 'internal' });
    assert.deepEqual(at('api.openai.com', 443), { service: 'openai', category: 'llm' });
    assert.deepEqual(at('my-bucket.s3.eu-west-1.amazonaws.com', 443), { service: 'aws.s3', category: 'storage' });
    assert.deepEqual(at('api.example.com', 443), { service: 'api.example.com', category: 'http' });
    assert.deepEqual(at('api.example.com', 8443), { service: 'api.example.com:8443', category: 'http' });
    // start() options: rules as objects or as the env string; environment rules come first.
    const fromOptions = resolveSpansSettings({ services: [{ match: 'api.stripe.com', service: 'stripe', category: 'http' }], slowMs: { cache: 50 } }, { CALLSCOPE_SERVICES: 'api.stripe.com=payments:http' }, new Warnings());
    assert.deepEqual(new Classifier(fromOptions.rules).classify({ 'server.address': 'api.stripe.com' }, undefined), { service: 'payments', category: 'http' });
    assert.equal(fromOptions.slowMs.cache, 50);
  });

  test('CALLSCOPE_SERVICES_FILE: YAML and JSON lists; bad files and entries warn', () => {
    const dir = mkdtempSync(join(tmpdir(), 'callscope-rules-'));
    writeFileSync(join(dir, 'rules.yaml'), '- match: "*.stripe.com"\n  service: stripe\n  category: http\n- match: vectors.local:6333\n  service: qdrant\n  category: database\n- match: x\n  service: y\n  category: nope\n');
    writeFileSync(join(dir, 'rules.json'), JSON.stringify([{ match: 'api.acme.io/v2', service: 'acme', category: 'http' }]));
    writeFileSync(join(dir, 'bad.yaml'), 'match: not-a-list');
    const read = (file: string) => {
      const warnings = new Warnings();
      return { settings: resolveSpansSettings({}, { CALLSCOPE_SERVICES_FILE: join(dir, file) }, warnings), warnings: warnings.messages };
    };
    const yaml = read('rules.yaml');
    assert.deepEqual(yaml.settings.rules.map((r) => r.service), ['stripe', 'qdrant']);
    assert.equal(yaml.warnings.length, 1);
    assert.match(yaml.warnings[0]!, /^CALLSCOPE_SERVICES_FILE: rule "x=y:nope" is invalid/);
    assert.deepEqual(read('rules.json').settings.rules.map((r) => [r.service, r.pathPrefix]), [['acme', '/v2']]);
    assert.match(read('bad.yaml').warnings[0]!, /is not a list/);
    assert.match(read('missing.yaml').warnings[0]!, /could not be read/);
  });

  test('semantic attributes decide before hosts', () => {
    const classifier = new Classifier();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ 'gen_ai.system': 'openai', 'gen_ai.operation.name': 'embeddings', 'server.address': 'proxy.corp' }, 'openai', 'embeddings'],
      [{ 'gen_ai.provider.name': 'anthropic', 'gen_ai.operation.name': 'chat' }, 'anthropic', 'llm'],
      [{ 'rpc.system': 'aws-api', 'rpc.service': 'BedrockRuntime', 'gen_ai.request.model': 'us.cohere.embed-v4:0' }, 'aws.bedrock-runtime', 'embeddings'],
      [{ 'rpc.system': 'aws-api', 'rpc.service': 'DynamoDB' }, 'aws.dynamodb', 'database'],
      [{ 'rpc.system': 'aws-api', 'rpc.service': 'SQS' }, 'aws.sqs', 'queue'],
      [{ 'rpc.system': 'aws-api', 'rpc.service': 'CloudWatchLogs' }, 'aws.cloud-watch-logs', 'http'],
      [{ 'db.system.name': 'postgresql', 'server.address': '10.0.0.5' }, 'postgresql', 'database'],
      [{ 'db.system': 'redis' }, 'redis', 'cache'],
      [{ 'messaging.system': 'kafka' }, 'kafka', 'queue'],
      [{ 'callscope.service.name': 'billing', 'callscope.service.category': 'http', 'server.address': 'api.openai.com' }, 'billing', 'http'],
      [{ 'url.full': 'wss://stream.example.com/feed' }, 'stream.example.com', 'websocket'],
    ];
    for (const [attrs, service, category] of cases) assert.deepEqual(classifier.classify(attrs as never, undefined), { service, category }, JSON.stringify(attrs));
    for (const host of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', 'localhost', '::1', 'db.internal']) assert.ok(isInternal(host), host);
    for (const host of ['8.8.8.8', '172.32.0.1', 'api.openai.com']) assert.ok(!isInternal(host), host);
  });
});

describe('processors on arbitrary spans', () => {
  test('never throw; every span gets a severity, every outbound span a service and a category', async () => {
    const exporter = new InMemorySpanExporter();
    const settings = resolveSpansSettings({}, { CALLSCOPE_SERVICES: '*.corp=corp:internal,127.0.0.1:9/v1=local:llm' }, new Warnings());
    const provider = new TracerProvider({
      sampler: recordOutbound(new AlwaysOnSampler()),
      spanProcessors: [...callSpanProcessors(settings, new CallMetrics()), new SimpleSpanProcessor({ exporter })],
    });
    const tracer = provider.getTracer('props');
    const keys = fc.constantFrom('server.address', 'server.port', 'url.full', 'url.path', 'url.scheme', 'http.url', 'net.peer.name', 'gen_ai.system', 'gen_ai.provider.name',
      'gen_ai.operation.name', 'gen_ai.request.model', 'rpc.system', 'rpc.service', 'db.system', 'db.system.name', 'messaging.system', 'http.response.status_code',
      'http.status_code', 'error.type', 'callscope.service.name', 'callscope.service.category', 'callscope.severity', 'http.request.resend_count', 'authorization');
    const values = fc.oneof(fc.string({ maxLength: 60 }), fc.integer(), fc.double(), fc.boolean(), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
      fc.constantFrom('aws-api', 'openai', 'BedrockRuntime', 'https://user:pw@api.openai.com:8443/v1?key=1', '127.0.0.1', 'embeddings', 'redis', '429', 'wss://x.corp/',
        // Object.prototype member names: rule tables are plain objects (a 'valueOf' messaging.system once escaped).
        'valueOf', 'constructor', 'toString', '__proto__'));
    const kinds = [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER];
    fc.assert(fc.property(fc.dictionary(keys, values, { maxKeys: 8 }), fc.integer({ min: 0, max: 4 }), fc.boolean(), fc.boolean(), (attributes, kind, failed, nested) => {
      exporter.reset();
      const parent = nested ? tracer.startSpan('outer', { kind: SpanKind.CLIENT, attributes: { 'gen_ai.system': 'openai' } }) : undefined;
      const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
      const span = tracer.startSpan('arbitrary', { kind: kinds[kind], attributes: attributes as never }, ctx);
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'Bearer abcdefghijklmnop' });
      span.end();
      parent?.end();
      const done = exporter.getFinishedSpans().find((s) => s.name === 'arbitrary')!;
      assert.ok(['info', 'warn', 'error', 'fatal'].includes(String(done.attributes['callscope.severity'])), JSON.stringify(done.attributes));
      if (kinds[kind] === SpanKind.CLIENT || kinds[kind] === SpanKind.PRODUCER) {
        assert.equal(typeof done.attributes['callscope.service.name'], 'string');
        assert.ok(CATEGORY_NAMES.includes(String(done.attributes['callscope.service.category'])));
      }
      assert.ok(!String(done.status.message ?? '').includes('abcdefghijklmnop'));
    }), { numRuns: 1500 });
    await provider.shutdown();
  });
});

describe('error.type of a failed span without one', () => {
  test('a system error code or a SQLSTATE in the error text, never another capitalised word; any text never throws', () => {
    const failed = (message: string, exceptionMessage?: string) => ({
      attributes: {}, status: { code: SpanStatusCode.ERROR, message },
      events: exceptionMessage === undefined ? [] : [{ name: 'exception', attributes: { 'exception.message': exceptionMessage } }],
    }) as unknown as Parameters<typeof errorTypeOf>[0];
    assert.equal(errorTypeOf(failed('connect ECONNREFUSED 127.0.0.1:5432')), 'ECONNREFUSED');
    assert.equal(errorTypeOf(failed('getaddrinfo ENOTFOUND db.internal')), 'ENOTFOUND');
    assert.equal(errorTypeOf(failed('', "PostgreSQL error of type 'error' occurred (code: 42P01)")), '42P01');
    assert.equal(errorTypeOf(failed('ERROR: EXPIRED token, see ETAG')), '_OTHER');
    assert.equal(errorTypeOf(failed('', 'occurred (code: UNKNOWN)')), '_OTHER');
    fc.assert(fc.property(fc.string(), fc.string(), (message, exceptionMessage) => {
      const type = errorTypeOf(failed(message, exceptionMessage));
      assert.ok(typeof type === 'string' && type.length <= 32, String(type));
    }), { numRuns: 2000 });
  });
});
