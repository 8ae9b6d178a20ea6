// Parsing for the codemod: recast (for ast-types' scope analysis: is this
// `console` the global one?) over @babel/parser (positions for exact edits), with the syntax
// plugins the file's extension calls for. TypeScript files without an x do not
// get the jsx plugin: `<T>value` is a type assertion there, not JSX.

import { extname } from 'node:path';
import { type ParserPlugin, parse as babelParse } from '@babel/parser';
import * as recast from 'recast';

export const EXTENSIONS = ['.js', '.mjs', '.cjs', '.jsx', '.ts', '.tsx', '.mts', '.cts'];

function plugins(file: string): ParserPlugin[] {
  const ext = extname(file);
  const common: ParserPlugin[] = ['decorators-legacy', 'importAttributes', 'explicitResourceManagement'];
  if (ext === '.tsx') return ['typescript', 'jsx', ...common];
  if (ext === '.ts' || ext === '.mts' || ext === '.cts') return ['typescript', ...common];
  return ['jsx', ...common];
}

// recast.types.namedTypes.File, loosely: the visitor narrows what it touches.
export type Ast = ReturnType<typeof recast.parse>;

/** Parses `source` as `file`; throws a SyntaxError with line:column on bad input. */
export function parseFile(source: string, file: string): Ast {
  return recast.parse(source, {
    parser: {
      parse: (text: string) =>
        babelParse(text, {
          sourceType: 'unambiguous',
          allowReturnOutsideFunction: true,
          allowImportExportEverywhere: true,
          allowAwaitOutsideFunction: true,
          startLine: 1,
          tokens: true,
          plugins: plugins(file),
        }),
    },
  });
}
