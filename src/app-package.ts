// The app's own package.json: the default service.name and service.version, and
// the root from which we look for installed modules. Found by walking up from the
// entry script (process.argv[1]), else from the working directory.

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface AppPackage {
  dir: string;
  name?: string;
  version?: string;
  /** Every package named in dependencies, devDependencies, optionalDependencies or peerDependencies. */
  declared: Set<string>;
}

let cached: AppPackage | null | undefined;

export function appEntryDir(): string {
  const entry = process.argv[1];
  return entry ? dirname(resolve(entry)) : process.cwd();
}

export function findAppPackage(): AppPackage | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  for (let dir = appEntryDir(); ; dir = dirname(dir)) {
    if (!dir.split(/[\\/]/).includes('node_modules')) {
      const found = readPackage(dir);
      if (found) return (cached = found);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function readPackage(dir: string): AppPackage | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, 'package.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const pkg = JSON.parse(text) as Record<string, unknown>;
    const declared = new Set<string>();
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
      const deps = pkg[field];
      if (deps && typeof deps === 'object') for (const name of Object.keys(deps)) declared.add(name);
    }
    return {
      dir,
      name: typeof pkg.name === 'string' ? pkg.name : undefined,
      version: typeof pkg.version === 'string' ? pkg.version : undefined,
      declared,
    };
  } catch {
    return { dir, declared: new Set() }; // unreadable package.json: still the app root, just nameless
  }
}
