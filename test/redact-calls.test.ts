// No secret byte leaves the process: a fixture app puts each secret of the
// corpus into URLs (presigned S3 query, ?api_key=, userinfo), captured headers,
// exception messages, user-set attributes, span events and log records; the
// test searches everything the receiver got for it. To cover a new leak, add a
// line to CORPUS (and, if it is a new place, a case to calls-secrets-app.mjs).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIXTURES, Fixture } from './helpers/run-fixture.ts';
import { useTestServers } from './helpers/servers.ts';

interface Secret {
  where: 'fetch-url' | 'http-url' | 'userinfo' | 'header' | 'exception' | 'attribute' | 'log';
  /** What the app writes. */
  value: string;
  /** The bytes that must not arrive (defaults to value). */
  secret?: string;
}

const SIG = 'a3f1c0ffee5ec2e7b1d9a8c7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7';
const CORPUS: Secret[] = [
  { where: 'fetch-url', value: `/bucket/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=${SIG}`, secret: SIG },
  { where: 'fetch-url', value: '/bucket/k?X-Amz-Security-Token=FwoGZXIvYXdzEBYaDHsecurityTOKENvalue123', secret: 'FwoGZXIvYXdzEBYaDHsecurityTOKENvalue123' },
  { where: 'fetch-url', value: '/bucket/k?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101', secret: 'AKIAIOSFODNN7EXAMPLE' },
  { where: 'fetch-url', value: '/search?q=cats&api_key=live_9f8e7d6c5b4a3210', secret: 'live_9f8e7d6c5b4a3210' },
  { where: 'http-url', value: '/oauth?access_token=ya29.a0AfH6SMBxyzSECRETtoken&state=1', secret: 'ya29.a0AfH6SMBxyzSECRETtoken' },
  { where: 'http-url', value: `/bucket/k?X-Amz-Signature=${SIG}`, secret: SIG },
  { where: 'userinfo', value: 'deploy:Hunter2Passw0rd', secret: 'Hunter2Passw0rd' },
  { where: 'header', value: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyMSJ9.c2lnbmF0dXJlU0VDUkVU', secret: 'c2lnbmF0dXJlU0VDUkVU' },
  { where: 'exception', value: 'sk-proj-4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c', secret: '4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c' },
  { where: 'exception', value: 'sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2', secret: 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2' },
  { where: 'attribute', value: 'aws_access_key_id=ASIAY34FZKBOKMUTVV7A', secret: 'ASIAY34FZKBOKMUTVV7A' },
  { where: 'attribute', value: 'password=correct-horse-battery', secret: 'correct-horse-battery' },
  { where: 'log', value: 'Authorization: Bearer tok_live_51HxYzAbCdEf', secret: 'tok_live_51HxYzAbCdEf' },
  { where: 'log', value: '{"client_secret": "cs_7a6b5c4d3e2f1a0b"}', secret: 'cs_7a6b5c4d3e2f1a0b' },
  { where: 'log', value: 'custom corp-secret-XYZ-123 (CALLSCOPE_REDACT regex)', secret: 'corp-secret-XYZ-123' },
  { where: 'log', value: 'login failed for bob, password="Tr0ub4dor&3x"', secret: 'Tr0ub4dor&3x' },
  { where: 'log', value: `msg='retrying with token=tk_8d7c6b5a4f3e'`, secret: 'tk_8d7c6b5a4f3e' },
  { where: 'attribute', value: "UPDATE users SET password = 'n0t-in-the-trace' WHERE id = 7", secret: 'n0t-in-the-trace' },
  { where: 'attribute', value: "ALTER ROLE app WITH LOGIN PASSWORD 'it''s-a-s3cret'", secret: 's3cret' },
  { where: 'attribute', value: "CREATE USER 'app'@'%' IDENTIFIED BY 'mysql-s3cret-pw'", secret: 'mysql-s3cret-pw' },
];

const servers = useTestServers();

test('no secret from the corpus reaches the collector', { timeout: 60000 }, async () => {
  const service = 'redact-corpus';
  const app = new Fixture({
    args: ['--import', 'callscope/register', 'calls-secrets-app.mjs'],
    cwd: FIXTURES,
    env: {
      OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: servers.receiver.url, UPSTREAM_URL: servers.upstream.url,
      SECRETS: JSON.stringify(CORPUS), CALLSCOPE_REDACT: '/corp-secret-[A-Z0-9-]+/',
    },
  });
  const result = await app.exited;
  assert.equal(result.code, 0, result.stderr);
  const mine = (item: { resource: Record<string, unknown> }) => item.resource['service.name'] === service;
  await servers.receiver.waitFor((r) => r.spans.some((s) => mine(s) && s.name === 'leaky work') && r.logs.filter(mine).length >= 3, 15000, 'spans and logs');
  const exported = JSON.stringify([servers.receiver.spans.filter(mine), servers.receiver.logs.filter(mine), servers.receiver.metrics.filter(mine)], (_k, v) => (typeof v === 'bigint' ? String(v) : v));

  // The places were really exercised: the URLs, exception and log arrived, redacted.
  assert.match(exported, /X-Amz-Signature=\[REDACTED\]/);
  assert.match(exported, /api_key=\[REDACTED\]/);
  assert.match(exported, /\[REDACTED\]@127\.0\.0\.1/);
  assert.match(exported, /upstream said no to/);
  assert.match(exported, /calling the API with/);
  const leaked = CORPUS.filter(({ value, secret }) => exported.includes(secret ?? value));
  assert.deepEqual(leaked, [], 'secrets that reached the receiver');
  // The upstream did get the real URL: redaction touches telemetry only.
  assert.ok(servers.upstream.requests.some((r) => r.path.includes(SIG)));
});
