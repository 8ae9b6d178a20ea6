// Parsing for the codemod: @babel/parser (exact positions for the edits), with the syntax
// plugins the file's extension calls for. TypeScript files without an x do not
// get the jsx plugin: `<T>value` is a type assertion there, not JSX.

import { extname } from 'node:path';
import { type ParserPlugin, parse as babelParse } from '@babel/parser';

export const EXTENSIONS = ['.js', '.mjs', '.cjs', '.jsx', '.ts', '.tsx', '.mts', '.cts'];

function plugins(file: string): ParserPlugin[] {
  const ext = extname(file);
  const common: ParserPlugin[] = ['decorators-legacy', 'importAttributes', 'explicitResourceManagement'];
  if (ext === '.tsx') return ['typescript', 'jsx', ...common];
  if (ext === '.ts' || ext === '.mts' || ext === '.cts') return ['typescript', ...common];
  return ['jsx', ...common];
}

export type Ast = ReturnType<typeof babelParse>;

/**
 * Parses `source` as `file`; throws a SyntaxError with line:column on bad input.
 * @babel/parser directly, not recast.parse: recast hands the parser a copy with
 * tabs expanded and line endings normalised, so node offsets would not point
 * into the real file. ast-types (recast.types) walks the Babel tree as it is.
 */
export function parseFile(source: string, file: string): Ast {
  return babelParse(source, {
    sourceType: 'unambiguous',
    allowReturnOutsideFunction: true,
    allowImportExportEverywhere: true,
    allowAwaitOutsideFunction: true,
    plugins: plugins(file),
  });
}
