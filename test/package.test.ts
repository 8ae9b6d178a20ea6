// The package as users get it: `npm pack`, install the tarball into a fresh
// app, run that app under the preload. Catches broken `exports`, `files`, bin
// and dependency pins. Also: one copy of @opentelemetry/instrumentation, both in
// this repo and in the user's install (two copies double the hooks and start-up).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FIXTURES, Fixture, ROOT, runFixture } from './helpers/run-fixture.ts';
import { OtlpReceiver } from './helpers/otlp-receiver.ts';
import { Upstream } from './helpers/upstream.ts';

/** npm's own CLI script, run with the Node that runs the tests (24), not the machine's default Node. */
function npmCli(): string {
  const npmBin = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
  return join(dirname(realpathSync(npmBin)), 'npm-cli.js');
}

function npm(args: string[], cwd: string): string {
  return execFileSync(process.execPath, [npmCli(), ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } });
}

/** Every distinct version of `name` anywhere in the dependency tree of `cwd`. */
function versionsOf(name: string, cwd: string): string[] {
  const tree = JSON.parse(npm(['ls', name, '--all', '--json'], cwd)) as { dependencies?: Record<string, unknown> };
  const found = new Set<string>();
  const walk = (deps: Record<string, any> | undefined) => {
    for (const [dep, info] of Object.entries(deps ?? {})) {
      if (dep === name && info.version) found.add(info.version);
      walk(info.dependencies);
    }
  };
  walk(tree.dependencies);
  return [...found];
}

describe('the packed package', () => {
  let app: string;
  let receiver: OtlpReceiver;
  let upstream: Upstream;

  before(async () => {
    receiver = await new OtlpReceiver().start();
    upstream = await new Upstream().start();
    app = mkdtempSync(join(tmpdir(), 'callscope-packed-'));
    const tarball = npm(['pack', '--pack-destination', app], ROOT).trim().split('\n').at(-1)!;
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'packed-app', version: '1.2.3', private: true }));
    for (const file of ['http-app.mjs', 'http-app.cjs']) copyFileSync(join(FIXTURES, file), join(app, file));
    npm(['install', `./${tarball}`, '--no-audit', '--no-fund', '--prefer-offline'], app);
  });

  after(async () => {
    await receiver.stop();
    await upstream.stop();
    if (app) rmSync(app, { recursive: true, force: true });
  });

  test('every package that dist/ requires or imports is a declared dependency', () => {
    const { dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const missing = new Set<string>();
    for (const file of readdirSync(join(ROOT, 'dist')).filter((f) => /\.c?js$/.test(f))) {
      const code = readFileSync(join(ROOT, 'dist', file), 'utf8');
      for (const [, specifier] of code.matchAll(/(?:require\w*\(|from |import\()\s*"([^".][^"]*)"/g)) {
        const name = specifier!.startsWith('@') ? specifier!.split('/').slice(0, 2).join('/') : specifier!.split('/')[0]!;
        if (name.startsWith('node:') || builtinModules.includes(name) || name in dependencies) continue;
        missing.add(`${name} (in dist/${file})`);
      }
    }
    assert.deepEqual([...missing], []);
  });

  test('one version of @opentelemetry/instrumentation in this repo', () => {
    assert.deepEqual(versionsOf('@opentelemetry/instrumentation', ROOT).length, 1);
  });

  test("one version of @opentelemetry/instrumentation in a user's install", () => {
    const versions = versionsOf('@opentelemetry/instrumentation', app);
    assert.equal(versions.length, 1, `versions: ${versions.join(', ')}`);
  });

  for (const [file, flag] of [['http-app.mjs', '--import'], ['http-app.cjs', '--require']] as const) {
    test(`installed tarball: node ${flag} callscope/register ${file}`, async () => {
      const fixture = new Fixture({
        args: [flag, 'callscope/register', file],
        cwd: app,
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, UPSTREAM_URL: upstream.url, FIXTURE_REQUESTS: '1', OTEL_RESOURCE_ATTRIBUTES: `test.file=${file}` },
      });
      try {
        const port = (await fixture.waitForOutput(/listening \d+/)).split(' ')[1];
        await (await fetch(`http://127.0.0.1:${port}/`)).text();
        const result = await fixture.exited;
        assert.equal(result.code, 0, result.stderr);
        const mine = () => receiver.spans.filter((s) => s.resource['test.file'] === file);
        await receiver.waitFor(() => mine().length >= 3, 10000, 'spans from the packed install');
        // The service name and version come from the app's own package.json.
        assert.equal(mine()[0]!.resource['service.name'], 'packed-app');
        assert.equal(mine()[0]!.resource['service.version'], '1.2.3');
        assert.match(result.stderr, /callscope \d+\.\d+\.\d+\S* started: service=packed-app/);
        // winston is callscope's own dependency, not the app's: its instrumentation stays off.
        assert.match(result.stderr, /instrumentations=http,undici,runtime-node /);
      } finally {
        fixture.kill();
      }
    });
  }

  test('the winston instrumentation is on when the app itself declares winston', async () => {
    const manifest = join(app, 'package.json');
    const original = readFileSync(manifest, 'utf8');
    try {
      writeFileSync(manifest, JSON.stringify({ ...JSON.parse(original), dependencies: { winston: '*' } }));
      const doctor = await runFixture({ args: [join(app, 'node_modules/.bin/callscope'), 'doctor', '--no-network'], cwd: app });
      assert.match(doctor.stdout, /instrumentations\s+http, undici, runtime-node, winston\n/, doctor.stdout);
    } finally {
      writeFileSync(manifest, original);
    }
  });

  test('import and require of "callscope" give the API; the bin answers', async () => {
    const esm = await runFixture({ args: ['--input-type=module', '-e', "import * as c from 'callscope'; console.log(typeof c.start, typeof c.shutdown)"], cwd: app });
    assert.equal(esm.stdout.trim(), 'function function', esm.stderr);
    const cjs = await runFixture({ args: ['-e', "const c = require('callscope'); console.log(typeof c.start, typeof c.shutdown)"], cwd: app });
    assert.equal(cjs.stdout.trim(), 'function function', cjs.stderr);
    const bin = await runFixture({ args: [join(app, 'node_modules/.bin/callscope'), 'version'], cwd: app });
    assert.match(bin.stdout, /^\d+\.\d+\.\d+/, bin.stderr);
  });
});
