// Files for the codemod: which ones (the source extensions, under the given
// paths, skipping node_modules, build output and dot-directories), whether each
// runs as an ES module, and atomic writes (a crash mid-write never leaves a
// half-written source file).

import { accessSync, constants, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { EXTENSIONS } from './codemod-parse.js';

const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', 'coverage']);

/** The source files under `paths` (files given by name are taken whatever their extension). */
export function listFiles(paths: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(path);
      } else if (entry.isFile() && EXTENSIONS.includes(extname(entry.name)) && !entry.name.endsWith('.d.ts')) {
        files.push(path);
      }
    }
  };
  for (const path of paths) {
    if (statSync(path).isDirectory()) walk(path);
    else files.push(path);
  }
  return files;
}

const packageTypes = new Map<string, string | undefined>();

/** The "type" of the nearest package.json above `dir`. */
function packageType(dir: string): string | undefined {
  if (packageTypes.has(dir)) return packageTypes.get(dir);
  let type: string | undefined;
  try {
    type = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: string }).type ?? 'commonjs';
  } catch {
    type = dirname(dir) === dir ? undefined : packageType(dirname(dir));
  }
  packageTypes.set(dir, type);
  return type;
}

/** Whether `file` runs as an ES module: .mjs/.mts always, .cjs/.cts never, others by package.json "type". */
export function isEsmRuntime(file: string): boolean {
  const ext = extname(file);
  if (ext === '.mjs' || ext === '.mts') return true;
  if (ext === '.cjs' || ext === '.cts') return false;
  return packageType(dirname(file)) === 'module';
}

/**
 * Throws (with a reason) when the file cannot be written. A file without write
 * permission bits is left alone even for root (who could write it anyway):
 * someone made it read-only on purpose.
 */
export function assertWritable(file: string): void {
  if ((statSync(file).mode & 0o222) === 0) throw Object.assign(new Error('read-only file'), { code: 'read-only' });
  accessSync(file, constants.W_OK);
}

/** Writes through a temporary file in the same directory and a rename, keeping the file mode. */
export function writeAtomic(file: string, text: string): void {
  const temp = join(dirname(file), `.${basename(file)}.callscope-${process.pid}.tmp`);
  try {
    writeFileSync(temp, text, { mode: statSync(file).mode });
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // nothing was written
    }
    throw error;
  }
}
