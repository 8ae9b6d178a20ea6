#!/usr/bin/env node
// The callscope command line: a dispatcher; each command lives in its own file.

import { VERSION } from '../state.js';
import { codemod } from './codemod.js';
import { doctor } from './doctor.js';

const USAGE = `usage: callscope <command> [options]

commands:
  codemod     rewrite console.* calls into logger calls (--dry-run, --check)
  doctor      check the setup: Node version, resolved settings, instrumentations, collector reachability
  version     print the callscope version
  help        print this help
`;

type Command = (args: string[]) => number | Promise<number>;

const COMMANDS: Record<string, Command> = {
  codemod,
  doctor,
  version: () => {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  },
  help: () => {
    process.stdout.write(USAGE);
    return 0;
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name = '', ...args] = argv;
  const alias: Record<string, string> = { '--version': 'version', '-v': 'version', '--help': 'help', '-h': 'help' };
  const key = Object.hasOwn(alias, name) ? alias[name]! : name;
  const command = Object.hasOwn(COMMANDS, key) ? COMMANDS[key] : undefined;
  if (!command) {
    process.stderr.write(name === '' ? USAGE : `callscope: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(args);
  } catch (error) {
    process.stderr.write(`callscope ${name}: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
