#!/usr/bin/env node
// The callscope command line. Subcommands arrive with their issues (codemod, doctor).

import { VERSION } from '../state.js';

const USAGE = `usage: callscope <command>

commands:
  version     print the callscope version
`;

export function main(argv: string[]): number {
  const [command] = argv;
  if (command === 'version' || command === '--version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`callscope: unknown command ${JSON.stringify(command)}\n${USAGE}`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
