// Codemod speed on a generated 20,000-line tree (ESM, CJS and TypeScript files
// with console calls every few lines), as `npx callscope codemod` runs it: the
// built CLI in a child process, a fresh copy of the tree per round; medians.
// Usage: node bench/codemod.bench.ts [rounds=3] [lines=20000]
// Writes bench/results/codemod.md. Target: under 10 s.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.argv[2] ?? 3);
const LINES = Number(process.argv[3] ?? 20000);
const LINES_PER_FILE = 100;

function moduleText(i: number, kind: 'esm' | 'cjs' | 'ts'): string {
  const head = kind === 'cjs' ? "'use strict';\nconst fs = require('node:fs');\n" : kind === 'ts' ? "import { readFileSync } from 'node:fs';\ninterface Row { id: number; name: string }\n" : "import { readFileSync } from 'node:fs';\n";
  const lines = [head];
  let n = head.split('\n').length - 1;
  for (let f = 0; n < LINES_PER_FILE - 8; f++) {
    const param = kind === 'ts' ? 'row: Row' : 'row';
    lines.push(`export function handler${i}_${f}(${param}) {\n  console.log('handling %s', row.name);\n  const total = row.id * 2;\n  if (total > 10) console.warn('large total', total);\n  try { JSON.parse(String(total)); } catch (err) { console.error('failed', err); }\n  return total;\n}\n`);
    n += 7;
  }
  if (kind === 'cjs') return lines.join('').replaceAll('export function', 'function') + 'module.exports = {};\n';
  return lines.join('');
}

const source = mkdtempSync(join(tmpdir(), 'callscope-codemod-bench-'));
let total = 0;
let files = 0;
for (let i = 0; total < LINES; i++) {
  const kind = (['esm', 'cjs', 'ts'] as const)[i % 3]!;
  const text = moduleText(i, kind);
  const dir = join(source, 'src', `area${i % 10}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `module${i}.${kind === 'esm' ? 'mjs' : kind === 'cjs' ? 'cjs' : 'ts'}`), text);
  total += text.split('\n').length - 1;
  files++;
}

const times: number[] = [];
let summary = '';
for (let round = 0; round < ROUNDS; round++) {
  const work = join(source, `round${round}`);
  cpSync(join(source, 'src'), work, { recursive: true });
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'codemod', work], { encoding: 'utf8' });
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
  if (result.status !== 0) throw new Error(`codemod exited ${result.status}: ${result.stderr.slice(-2000)}`);
  summary = result.stderr.trim().split('\n').at(-1)!;
  process.stderr.write(`round ${round + 1}/${ROUNDS}: ${Math.round(times.at(-1)!)} ms\n`);
}
rmSync(source, { recursive: true, force: true });

const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
const report = `# Codemod speed

\`node bench/codemod.bench.ts ${ROUNDS} ${LINES}\` — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}.

A generated tree of ${files} files, ${total.toLocaleString('en')} lines (ESM, CommonJS and TypeScript in turn),
a console call every ~2 lines of function body. \`callscope codemod <dir>\` run by the built CLI, a fresh copy
per round, ${ROUNDS} rounds, median wall time (process start included).

| lines | files | median | target |
|---|---|---|---|
| ${total.toLocaleString('en')} | ${files} | ${(median / 1000).toFixed(2)} s | under 10 s |

Last summary line: \`${summary.replace(/round\d+/, 'tree')}\`
`;
writeFileSync(join(ROOT, 'bench/results/codemod.md'), report);
process.stdout.write(report);
