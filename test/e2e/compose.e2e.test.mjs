// docker-compose.yml, checked without a Docker engine: Debian's `docker-compose` (1.29) parses it
// against the compose schema and resolves variables in `config`, which never contacts an engine.
// The resolved file is then checked for what the README promises (ports, pins, the destination switch).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT, repoPath, validate } from './lib/stack.mjs';

const have = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
// In CI the tool is installed by .ci/run, so a missing one is a failure there, a skip elsewhere.
const skip = !have && !process.env.CI ? 'docker-compose not installed (apt-get install docker-compose)' : false;

function composeConfig(file, env = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CALLSCOPE_') && !k.startsWith('AWS_')));
  const r = spawnSync('docker-compose', ['-f', file, 'config'], { cwd: ROOT, encoding: 'utf8', env: { ...clean, ...env } });
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}

test('docker-compose.yml is valid and resolves to the local destination by default', { skip }, () => {
  const { ok, out, err } = composeConfig('docker-compose.yml');
  assert.ok(ok, err);
  assert.match(out, /image: otel\/opentelemetry-collector-contrib:0\.159\.0/);
  assert.match(out, /image: jaegertracing\/jaeger:2\.\d+\.\d+/);
  assert.match(out, /--config=\/etc\/callscope\/otel-collector\.yaml/);
  assert.match(out, /--config=\/etc\/callscope\/collector\/local\.yaml/);
  for (const port of ['4317', '4318', '16686']) assert.match(out, new RegExp(`127\\.0\\.0\\.1:${port}:${port}`));
  assert.match(out, /condition: service_healthy/);
});

test('CALLSCOPE_DESTINATION=aws switches the collector to collector/aws.yaml', { skip }, () => {
  const { ok, out, err } = composeConfig('docker-compose.yml', { CALLSCOPE_DESTINATION: 'aws', AWS_REGION: 'eu-west-1' });
  assert.ok(ok, err);
  assert.match(out, /--config=\/etc\/callscope\/collector\/aws\.yaml/);
  assert.match(out, /AWS_REGION: eu-west-1/);
});

test('every config file the compose collector mounts exists and validates with the real collector', () => {
  for (const dest of ['local', 'aws']) {
    const files = ['otel-collector.yaml', `collector/${dest}.yaml`];
    for (const f of files) assert.ok(fs.existsSync(repoPath(f)), f);
    // same environment the compose file gives the container
    const { ok, output } = validate(files, { CALLSCOPE_OTLP_GRPC_ENDPOINT: '0.0.0.0:4317', CALLSCOPE_OTLP_HTTP_ENDPOINT: '0.0.0.0:4318', CALLSCOPE_RESOURCE_DETECTORS: '[env]' });
    assert.ok(ok, output);
  }
});

test('the compose check is not vacuous: a misspelt key is rejected', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callscope-compose-'));
  const bad = path.join(dir, 'docker-compose.yml');
  fs.writeFileSync(bad, fs.readFileSync(repoPath('docker-compose.yml'), 'utf8').replace(/^(\s+)healthcheck:/m, '$1healthchek:'));
  const { ok } = composeConfig(bad);
  fs.rmSync(dir, { recursive: true });
  assert.equal(ok, false);
});
