// Database calls are traced and classified: the real `pg` client (node-postgres)
// talks to a real Postgres wire-protocol server (PGlite over TCP, started here
// from npm packages) in an app run under `node --import callscope/register`.
// At the OTLP receiver: every query and connect is a CLIENT span under the app's
// span, classified postgresql / database, with the severity design.md gives
// (info on success; error for a failed query and a refused connection; status
// ERROR on both); callscope.external.duration counts each call once; the
// password of the connection string reaches the receiver nowhere, nor does a
// password literal in the SQL text (db.query.text).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';
import { findClosedPort } from './helpers/servers.ts';
import { FIXTURES, Fixture, type FixtureResult } from './helpers/run-fixture.ts';

const CLIENT = 3;
const STATUS_ERROR = 2;
const SERVICE = 'db-calls';
const PASSWORD = 's3cretPassw0rd';
const SQL_SECRET = 'hunter2hunter2';

let receiver: OtlpReceiver | undefined;
let db: PGlite | undefined;
let pgServer: PGLiteSocketServer | undefined;
let app: Fixture | undefined;
let pgPort: number;
let closedPort: number;
let result: FixtureResult;

before(async () => {
  receiver = await new OtlpReceiver().start();
  db = await PGlite.create();
  pgServer = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await pgServer.start();
  pgPort = Number(pgServer.getServerConn().split(':').at(-1));
  closedPort = await findClosedPort();
  app = new Fixture({
    args: ['--import', 'callscope/register', 'db-app.mjs'],
    cwd: FIXTURES,
    timeoutMs: 40000,
    env: {
      OTEL_SERVICE_NAME: SERVICE,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      PG_URL: `postgres://user:${PASSWORD}@127.0.0.1:${pgPort}/db`,
      CLOSED_URL: `postgres://user:${PASSWORD}@127.0.0.1:${closedPort}/db`,
    },
  });
  result = await app.exited;
});

after(async () => {
  app?.kill();
  await pgServer?.stop();
  await db?.close();
  await receiver?.stop();
});

const mine = (item: { resource: Record<string, unknown> }) => item.resource['service.name'] === SERVICE;
const childrenOf = (parent: ReceivedSpan) => receiver!.spans.filter((s) => mine(s) && s.traceId === parent.traceId && s.parentSpanId === parent.spanId);
const appSpan = () => receiver!.spans.find((s) => mine(s) && s.name === 'db work');

/** The calls db-app.mjs makes, in order, and the outcome design.md gives each. */
interface Call {
  what: string;
  matches: (span: ReceivedSpan) => boolean;
  severity: 'info' | 'error';
  status?: RegExp;
  /** error.type: the SQLSTATE / system error code from the exception text (instrumentation-pg records no exception.type). */
  errorType?: string;
}
const query = (text: string | RegExp) => (s: ReceivedSpan) => {
  const got = s.attributes['db.query.text'];
  return typeof text === 'string' ? got === text : typeof got === 'string' && text.test(got);
};
const connect = (port: () => number) => (s: ReceivedSpan) => s.name === 'pg.connect' && s.attributes['server.port'] === port();
const CALLS: Call[] = [
  { what: 'connect', matches: connect(() => pgPort), severity: 'info' },
  { what: 'create table', matches: query(/^CREATE TABLE users \(/), severity: 'info' },
  { what: 'insert', matches: query('INSERT INTO users (id, name) VALUES ($1, $2)'), severity: 'info' },
  { what: 'parameterized select', matches: query('SELECT name FROM users WHERE id = $1'), severity: 'info' },
  { what: 'sql error', matches: query('SELECT * FROM no_such_table'), severity: 'error', status: /relation "no_such_table" does not exist/, errorType: '42P01' },
  { what: 'update', matches: query(/^UPDATE users SET password=/), severity: 'info' },
  { what: 'connection refused', matches: connect(() => closedPort), severity: 'error', status: /ECONNREFUSED/, errorType: 'ECONNREFUSED' },
];

/** Everything the receiver got from the app, as one string. */
function exported(): string {
  const all = [receiver!.spans.filter(mine), receiver!.logs.filter(mine), receiver!.metrics.filter(mine)];
  return JSON.stringify(all, (_key, value) => (typeof value === 'bigint' ? String(value) : value));
}

describe('database calls (pg -> PGlite over TCP)', { timeout: 50000 }, () => {
  before(async () => {
    await receiver!.waitFor(() => appSpan() !== undefined && childrenOf(appSpan()!).length >= CALLS.length, 15000, 'the app span and its db spans');
    await receiver!.waitFor((r) => r.metrics.some((m) => mine(m) && m.name === 'callscope.external.duration'), 15000, 'call metrics');
    await receiver!.waitFor((r) => r.logs.some((l) => mine(l) && String(l.body).includes('query failed')), 15000, 'the console.error record');
  });

  test('the app ran every call against the real server and survived the failures', () => {
    assert.equal(result.code, 0, `exit status; stderr: ${result.stderr}`);
    assert.deepEqual(JSON.parse(result.stdout.trim().split('\n').at(-1)!), {
      selected: [{ name: 'ada' }], sqlError: '42P01', updated: 1, refused: 'ECONNREFUSED',
    });
  });

  test('each call is one CLIENT span under the app span: postgresql / database, with its severity', () => {
    const parent = appSpan()!;
    assert.equal(parent.attributes['callscope.severity'], 'info', 'the app caught both errors: its own span is info');
    const children = childrenOf(parent);
    assert.equal(children.length, CALLS.length, `children: ${children.map((s) => `${s.name} ${s.attributes['db.query.text'] ?? ''}`).join(' | ')}`);
    for (const call of CALLS) {
      const found = children.filter(call.matches);
      assert.equal(found.length, 1, `${call.what}: ${found.length} spans`);
      const span = found[0]!;
      const a = span.attributes;
      const why = `${call.what}: ${JSON.stringify(a)} status ${JSON.stringify(span.status)}`;
      assert.equal(span.kind, CLIENT, why);
      assert.equal(span.scope, '@opentelemetry/instrumentation-pg', why);
      assert.equal(a['db.system.name'], 'postgresql', why);
      assert.equal(a['server.address'], '127.0.0.1', why);
      assert.equal(a['callscope.service.name'], 'postgresql', why);
      assert.equal(a['callscope.service.category'], 'database', why);
      assert.equal(a['peer.service'], 'postgresql', why);
      assert.equal(a['server.service.name'], 'postgresql', why);
      assert.equal(a['callscope.severity'], call.severity, why);
      if (call.status) {
        assert.equal(span.status.code, STATUS_ERROR, why);
        assert.match(span.status.message, call.status, why);
        assert.equal(a['error.type'], call.errorType, `${why}: error.type`);
        assert.ok(span.events.some((e) => e.name === 'exception'), `${why}: exception event`);
      } else {
        assert.notEqual(span.status.code, STATUS_ERROR, why);
        assert.equal(a['error.type'], undefined, why);
      }
    }
  });

  test('callscope.external.duration counts every call once, by severity and error.type', () => {
    const metric = receiver!.metrics.filter((m) => mine(m) && m.name === 'callscope.external.duration').at(-1)!;
    assert.equal(metric.type, 'histogram');
    const counted: Record<string, number> = {};
    for (const point of metric.points) {
      const key = ['callscope.service.name', 'callscope.service.category', 'callscope.severity', 'error.type'].map((k) => point.attributes[k] ?? '').join('|');
      counted[key] = (counted[key] ?? 0) + point.count!;
    }
    const expected: Record<string, number> = {};
    for (const call of CALLS) {
      const key = `postgresql|database|${call.severity}|${call.errorType ?? ''}`;
      expected[key] = (expected[key] ?? 0) + 1;
    }
    assert.deepEqual(counted, expected);
  });

  test('the password of the connection string reaches the receiver nowhere', () => {
    const text = exported();
    // The places were exercised: db spans for both servers, the SQL text, the app's error log.
    assert.ok(text.includes(`"server.port":${pgPort}`) && text.includes(`"server.port":${closedPort}`));
    assert.match(text, /SELECT name FROM users WHERE id = \$1/);
    assert.match(text, /query failed: relation \\"no_such_table\\" does not exist/);
    assert.ok(!text.includes(PASSWORD), `the connection password was exported:\n${text.slice(Math.max(0, text.indexOf(PASSWORD) - 300), text.indexOf(PASSWORD) + 100)}`);
  });

  // instrumentation-pg exports the SQL text as db.query.text: a password literal in it is redacted
  // (redact.ts: quoted values of sensitive names, and SQL's `PASSWORD '…'` form).
  test('a password literal in SQL text reaches the receiver nowhere', () => {
    const update = receiver!.spans.find((s) => mine(s) && query(/^UPDATE users/)(s));
    assert.equal(update?.attributes['db.query.text'], "UPDATE users SET password='[REDACTED]' WHERE id = 7");
    const text = exported();
    assert.ok(!text.includes(SQL_SECRET), `the SQL literal was exported:\n${text.slice(Math.max(0, text.indexOf(SQL_SECRET) - 300), text.indexOf(SQL_SECRET) + 100)}`);
  });
});
