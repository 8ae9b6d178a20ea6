// The codemod on a sample multi-file project (ESM, CJS, TS, TSX, the edge cases
// it must report, a file that does not parse, a read-only file), copied to a
// temp dir: --check and --dry-run change nothing; the conversion leaves a
// project that type-checks, runs under the preload and logs the same messages
// at the same levels as the console version did through the bridge; a second
// run changes nothing.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FIXTURES, ROOT, runFixture } from './helpers/run-fixture.ts';
import { OtlpReceiver } from './helpers/otlp-receiver.ts';

const CLI = join(ROOT, 'dist/cli.js');
let dir: string;
let receiver: OtlpReceiver;

function codemod(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, 'codemod', ...args], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function snapshot(): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(join(dir, 'src'))) files.set(name, readFileSync(join(dir, 'src', name), 'utf8'));
  return files;
}

type Line = { level: string; message: string; err?: { message: string }; id?: number };

/** What the sample logs, as (level, message) in order, from stdout and stderr JSON lines. */
async function runSample(): Promise<Line[]> {
  // The sample imports a .ts module: Node 22 strips types only when asked to.
  const stripTypes = Number(process.versions.node.split('.')[0]) < 23 ? ['--experimental-strip-types'] : [];
  const result = await runFixture({
    args: [...stripTypes, '--import', 'callscope/register', 'src/main.mjs'],
    cwd: dir,
    env: { CALLSCOPE_LOG_LEVEL: 'debug', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'codemod-sample' },
    timeoutMs: 30000,
  });
  assert.equal(result.code, 0, result.stderr);
  const lines = (result.stdout + result.stderr).split('\n').filter((l) => l.startsWith('{"')).map((l) => JSON.parse(l) as Line);
  // Node's own warnings (type stripping on Node 22) name the process id, which differs between runs.
  for (const line of lines) line.message = line.message.replace(/\(node:\d+\)/g, '(node:PID)');
  return lines.sort((a, b) => a.message.localeCompare(b.message));
}

before(async () => {
  receiver = await new OtlpReceiver().start();
  dir = mkdtempSync(join(tmpdir(), 'callscope-codemod-'));
  cpSync(join(FIXTURES, 'codemod-sample'), dir, { recursive: true });
  mkdirSync(join(dir, 'node_modules/@types'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules/callscope'));
  symlinkSync(join(ROOT, 'node_modules/@types/node'), join(dir, 'node_modules/@types/node'));
  writeFileSync(join(dir, 'src/readonly.mjs'), "console.log('read-only file');\n");
  chmodSync(join(dir, 'src/readonly.mjs'), 0o444);
});
after(async () => {
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('callscope codemod on a sample project', () => {
  let before: Line[];
  let original: Map<string, string>;

  test('--check and --dry-run report and change nothing', { timeout: 120000 }, async () => {
    before = await runSample();
    original = snapshot();

    const check = codemod('--check', 'src');
    assert.equal(check.code, 1, 'console calls remain: exit 1');
    assert.match(check.stderr, /codemod: 8 files, 7 would change, 19 console calls to convert, 5 left to convert by hand, 1 file failed/);
    assert.equal(check.stdout, '');

    const dry = codemod('--dry-run', 'src');
    assert.match(dry.stdout, /^--- a\/src\/server\.mjs\n\+\+\+ b\/src\/server\.mjs\n@@ -1,\d+ \+1,\d+ @@\n import \{ format \} from 'node:util';\n\+import \{ getLogger \} from 'callscope';\n\+const logger = getLogger\(import\.meta\.url\);\n/m);
    assert.match(dry.stdout, /^- {4}console\.error\('failed', err\);\n\+ {4}logger\.error\('failed', \{ err \}\);$/m);
    assert.deepEqual(snapshot(), original, '--check and --dry-run write nothing');
  });

  test('converts, reports, skips what it must; the result type-checks, runs and logs the same', { timeout: 180000 }, async () => {
    const run = codemod('src');
    assert.equal(run.code, 1, 'exit 1: a file failed to parse, one is read-only');
    const err = run.stderr;
    assert.match(err, /src\/broken\.js: could not parse \(Unexpected token.*\(3:\d+\)\); left untouched/);
    assert.match(err, /src\/readonly\.mjs: could not write \(read-only\); left untouched/);
    for (const reason of ['console.log.bind: the method is taken as a value', 'destructured from console', 'console[…]: computed method name', 'console.table() has no logger equivalent']) {
      assert.ok(err.includes(reason), `reports: ${reason}\n${err}`);
    }
    assert.match(err, /src\/edge\.js:2:15 console\.log\.bind/);
    assert.match(err, /codemod: 8 files, 6 changed, 18 console calls converted, 5 left to convert by hand, 2 files failed/);

    const after = snapshot();
    assert.equal(after.get('broken.js'), original.get('broken.js'));
    assert.equal(after.get('readonly.mjs'), original.get('readonly.mjs'));
    assert.ok(!readdirSync(join(dir, 'src')).some((name) => name.endsWith('.tmp')), 'no temp files left');

    const server = after.get('server.mjs')!;
    assert.match(server, /^import \{ format \} from 'node:util';\nimport \{ getLogger \} from 'callscope';\nconst logger = getLogger\(import\.meta\.url\);\n\nconst greeting/);
    assert.match(server, /logger\.info\('user %s has id %d', user\.name, user\.id\);/);
    assert.match(server, /logger\.info\('a', \{ b: 1 \}, 3\);/);
    assert.match(server, /logger\.error\('failed', \{ err \}\);/);
    assert.match(server, /function report\(console, text\) \{\n  console\.log\(text\);/, 'a shadowed console is left alone');
    assert.equal(server.split('\n').length, original.get('server.mjs')!.split('\n').length + 2, 'two lines added, none removed');
    const legacy = after.get('legacy.cjs')!;
    assert.match(legacy, /const path = require\('node:path'\);\nconst \{ getLogger \} = require\('callscope'\);\nconst logger = getLogger\(__filename\);\n/);
    assert.match(legacy, /logger\.error\('could not load', \{ err: error \}\);/);
    const util = after.get('util.ts')!;
    assert.match(util, /const appLogger = getLogger\(import\.meta\.url\);/, 'no clash with the existing `logger`');
    assert.match(util, /const logger = \{ lines: \[\] as string\[\] \};/);
    assert.match(util, /appLogger\.warn\('price asked', item\.price\);/);
    assert.match(after.get('edge.js')!, /logger\.debug\('Trace: traced here', \{ stack: new Error\(\)\.stack \}\);/);
    assert.match(after.get('view.tsx')!, /logger\.info\('rendering badge', props\.label\);\n  return <span className="badge">\{props\.label\}<\/span>;/);

    // Type-checks (TS and TSX against callscope's published types).
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', timeout: 120000 });
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);

    // Runs, and logs the same messages at the same levels. Two documented differences:
    // an error argument travels as the `err` field instead of being appended to the
    // message, and a single object after the message becomes structured fields.
    const converted = await runSample();
    const normalize = (line: Line) => {
      let message = line.message;
      if (line.err && message.endsWith(` ${line.err.message}`)) message = message.slice(0, -line.err.message.length - 1);
      if (message === 'user { id: 7 }') message = 'user';
      return `${line.level} ${message}`;
    };
    assert.deepEqual(converted.map(normalize), before.map(normalize));
    const user = converted.find((l) => l.message === 'user');
    assert.equal(user?.id, 7, 'the object became a field');
    assert.ok(converted.find((l) => l.message === 'failed')?.err, 'the error is the err field');
    for (const lines of [before, converted]) {
      const traced = lines.find((l) => l.message === 'Trace: traced here') as (Line & { stack?: string }) | undefined;
      assert.equal(traced?.level, 'debug', 'console.trace: debug, before (bridge) and after (converted)');
      assert.match(traced?.stack ?? '', /at useBoundLog .*edge\.js/, 'with the stack');
    }

    // …and the converted project's records reach the collector under their module's logger.
    await receiver.waitFor((r) => r.logs.some((l) => l.scope === 'src/server.mjs' && l.body === 'failed'), 20000, 'converted records at the receiver');
    const failed = receiver.logs.find((l) => l.scope === 'src/server.mjs' && l.body === 'failed')!;
    assert.equal(failed.severityNumber, 17);
    assert.equal(failed.attributes['exception.message'], 'db down');
    assert.ok(receiver.logs.some((l) => l.scope === 'src/legacy.cjs' && l.body === 'loading config.json' && l.severityNumber === 9));

    const again = codemod('src');
    assert.match(again.stderr, /codemod: 8 files, 0 changed, 0 console calls converted/);
    assert.deepEqual(snapshot(), after, 'a second run changes nothing');
  });
});
