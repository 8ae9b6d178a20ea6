// `callscope codemod [--dry-run] [--check] <paths…>`: console.* calls -> logger
// calls across a code base. Each file is converted on its own (see
// codemod-transform.ts); a file that does not parse, or cannot be written, is
// reported and left untouched, and the others still go through.
//
// Output: diffs (--dry-run) on stdout; per-file lines, the problems to fix by
// hand, a progress line on big trees and the total on stderr.
// Exit status: 0 done; 1 with --check when console calls remain, or when a file
// could not be parsed or written; 2 for bad usage.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { unifiedDiff } from './codemod-diff.js';
import { assertWritable, isEsmRuntime, listFiles, writeAtomic } from './codemod-files.js';
import { transformSource } from './codemod-transform.js';

export const CODEMOD_USAGE = `usage: callscope codemod [--dry-run] [--check] <paths…>

Rewrites console.log/info/warn/error/debug calls into calls on a module logger
(getLogger from callscope) in .js .mjs .cjs .jsx .ts .tsx .mts .cts files.

  --dry-run   print a unified diff, change nothing
  --check     change nothing; exit 1 if any console call remains (for CI)
`;

interface Totals {
  files: number;
  changed: number;
  converted: number;
  left: number;
  failed: number;
}

export function codemod(args: string[]): number {
  const dryRun = args.includes('--dry-run');
  const check = args.includes('--check');
  const unknown = args.filter((arg) => arg.startsWith('-') && arg !== '--dry-run' && arg !== '--check');
  const paths = args.filter((arg) => !arg.startsWith('-'));
  if (unknown.length > 0 || paths.length === 0) {
    process.stderr.write(unknown.length > 0 ? `callscope codemod: unknown option ${unknown[0]}\n\n${CODEMOD_USAGE}` : CODEMOD_USAGE);
    return 2;
  }

  // `callscope codemod --dry-run src | head`: a closed pipe ends the run quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
  const files = listFiles(paths);
  const totals: Totals = { files: files.length, changed: 0, converted: 0, left: 0, failed: 0 };
  const progress = files.length >= 200 && process.stderr.isTTY === true;
  files.forEach((file, i) => {
    if (progress && i % 50 === 0) process.stderr.write(`\rcodemod: ${i}/${files.length} files`);
    const report = convertFile(file, { dryRun, check }, totals);
    if (report) process.stderr.write(`${progress ? '\r\x1b[K' : ''}${report}`);
  });
  if (progress) process.stderr.write('\r\x1b[K');

  const verb = check || dryRun ? 'to convert' : 'converted';
  process.stderr.write(
    `codemod: ${totals.files} files, ${totals.changed} ${check || dryRun ? 'would change' : 'changed'}, ` +
      `${totals.converted} console calls ${verb}, ${totals.left} left to convert by hand` +
      (totals.failed > 0 ? `, ${totals.failed} file${totals.failed === 1 ? '' : 's'} failed (left untouched)` : '') + '\n',
  );
  if (totals.failed > 0) return 1;
  if (check && totals.converted + totals.left > 0) return 1;
  return 0;
}

/** Converts one file; returns its report lines ('' when there is nothing to say). */
function convertFile(file: string, mode: { dryRun: boolean; check: boolean }, totals: Totals): string {
  const name = relative(process.cwd(), file) || file;
  let source: string;
  let result: ReturnType<typeof transformSource>;
  try {
    source = readFileSync(file, 'utf8');
    result = transformSource(source, file, isEsmRuntime(file));
  } catch (error) {
    totals.failed++;
    return `${name}: could not parse (${(error as Error).message}); left untouched\n`;
  }
  const changed = result.output !== source;
  let text = '';
  if (changed) {
    if (mode.dryRun) process.stdout.write(unifiedDiff(name, source, result.output));
    else if (!mode.check) {
      try {
        assertWritable(file);
        writeAtomic(file, result.output);
      } catch (error) {
        totals.failed++;
        return `${name}: could not write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); left untouched\n`;
      }
    }
    totals.changed++;
  }
  totals.converted += result.converted;
  totals.left += result.problems.length;
  if (result.converted > 0 || result.problems.length > 0) {
    text += `${name}: ${result.converted} ${mode.check || mode.dryRun ? 'to convert' : 'converted'}, ${result.problems.length} left\n`;
    for (const problem of result.problems) text += `  ${name}:${problem.line}:${problem.column} ${problem.reason}\n`;
  }
  return text;
}
