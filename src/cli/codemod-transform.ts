// One file's conversion: console.log/info/warn/error/debug calls become calls on
// a module logger (`const logger = getLogger(import.meta.url)` or `__filename`),
// inserted once after the imports. The file is parsed with @babel/parser and
// walked with ast-types (recast.types), whose scopes tell a local `console` from
// the global one; changes are edits at node positions, so the rest of the file
// stays byte for byte as written.
//
// What is not converted, and reported instead of guessed: console.log.bind(…),
// console[method](…), `const { log } = console`, console.log passed as a value,
// console methods without a logger meaning (table, dir, group, time…), and
// console.trace with several arguments or a format string (util.format would
// print the added { stack } field into the message).
// console.trace('here') becomes logger.debug('Trace: here', { stack: new Error().stack })
// (design.md: console.trace -> debug with the stack).
// A `console` that is a local binding (a parameter, a variable) is not the
// global console and is left alone.

import * as recast from 'recast';
import { parseFile } from './codemod-parse.js';

const n = recast.types.namedTypes;
type Node = recast.types.namedTypes.Node & { loc?: { start: { line: number; column: number } }; start?: number; end?: number };
type Path = recast.types.NodePath;

/** console method -> logger level, as the console bridge maps them (design.md). */
export const LEVEL_OF: Record<string, string> = { log: 'info', info: 'info', warn: 'warn', error: 'error', debug: 'debug' };
// The last argument of console.error('failed', err) is an error by these names: it becomes { err }.
const ERROR_NAME = /^(e|err|error|ex|exc|exception|.+Error|.+Err)$/;
const FORMAT_TOKEN = /%[sdifjoOc]/;
// Marks a console.trace call among the calls to convert (it becomes debug plus the stack).
const TRACE = 'trace';

export interface Problem {
  line: number;
  column: number;
  reason: string;
}

export interface TransformResult {
  output: string;
  converted: number;
  problems: Problem[];
}

/** `esmRuntime`: the file runs as an ES module (import.meta.url exists), from its extension and package.json "type". */
export function transformSource(source: string, file: string, esmRuntime: boolean): TransformResult {
  // Most files of a tree have no console at all: skip parsing them. (A file that
  // does not parse then also passes; there is nothing in it to convert.)
  if (!source.includes('console')) return { output: source, converted: 0, problems: [] };
  const ast = parseFile(source, file);
  const calls: { call: Path; level: string }[] = [];
  const problems: Problem[] = [];
  const names = new Set<string>();

  recast.visit(ast, {
    visitIdentifier(path: Path) {
      const node = path.node as Node & { name: string };
      names.add(node.name);
      if (node.name === 'console' && isReference(node, path.parent?.node) && !path.scope?.lookup('console')) {
        classify(path, calls, problems);
      }
      return false;
    },
  });
  if (calls.length === 0) return { output: source, converted: 0, problems };

  const program = (ast as { program: { body: Node[]; sourceType?: string } }).program;
  const existing = findExisting(program.body);
  const logger = existing.logger ?? pick(names, ['logger', 'log', 'appLogger', 'moduleLogger']);
  const edits: Edit[] = calls.flatMap(({ call, level }) => convertCall(call.node as Node & CallNode, logger, level));
  if (!existing.logger) {
    const getLogger = existing.getLogger ?? pick(names, ['getLogger', 'getCallscopeLogger']);
    edits.push(insertLogger(program, source, calls, getLogger, logger, esmRuntime, existing.getLogger !== undefined));
  }
  return { output: applyEdits(source, edits), converted: calls.length, problems };
}

/**
 * Changes are made as edits at the node positions the parser gives, so every
 * byte we do not change stays as written (recast's printer would reformat the
 * nodes it reprints, e.g. put `{ err }` on three lines).
 */
interface Edit {
  start: number;
  end: number;
  text: string;
}

function applyEdits(source: string, edits: Edit[]): string {
  let output = source;
  for (const edit of [...edits].sort((x, y) => y.start - x.start)) output = output.slice(0, edit.start) + edit.text + output.slice(edit.end);
  return output;
}

interface CallNode {
  callee: Node;
  arguments: Node[];
}

/** False for `x.console`, `{ console: 1 }` keys and other names that are not the variable. */
function isReference(node: Node, parent: Node | undefined): boolean {
  if (!parent) return true;
  const p = parent as Node & { property?: Node; key?: Node; computed?: boolean; shorthand?: boolean };
  if ((n.MemberExpression.check(parent) || parent.type === 'OptionalMemberExpression') && p.property === node && !p.computed) return false;
  if ((parent.type === 'ObjectProperty' || parent.type === 'Property' || parent.type === 'ObjectMethod' || parent.type.startsWith('Class')) && p.key === node && !p.computed && !p.shorthand) return false;
  if (parent.type.startsWith('TS') || parent.type.startsWith('Export') || parent.type.startsWith('Import') || parent.type === 'LabeledStatement') return false;
  return true;
}

function where(node: Node): Pick<Problem, 'line' | 'column'> {
  return { line: node.loc?.start.line ?? 0, column: (node.loc?.start.column ?? 0) + 1 };
}

function classify(path: Path, calls: { call: Path; level: string }[], problems: Problem[]): void {
  const node = path.node as Node;
  const parent = path.parent.node as Node & { object?: Node; property?: Node & { name?: string }; computed?: boolean; id?: Node; init?: Node };
  const report = (reason: string): void => {
    problems.push({ ...where(node), reason });
  };
  const isMember = n.MemberExpression.check(parent) || parent.type === 'OptionalMemberExpression';
  if (isMember && parent.object === node) {
    if (parent.computed) return report('console[…]: computed method name, convert by hand');
    const method = parent.property?.name ?? '?';
    const grand = path.parent.parent?.node as (Node & CallNode & { object?: Node; property?: Node & { name?: string } }) | undefined;
    if (grand && (n.CallExpression.check(grand) || grand.type === 'OptionalCallExpression') && grand.callee === parent) {
      const level = LEVEL_OF[method];
      if (level) calls.push({ call: path.parent.parent, level });
      else if (method === 'trace') {
        const args = grand.arguments as (Node & { value?: unknown; quasis?: { value: { raw: string } }[] })[];
        if (args.length > 1 || (args[0] && isFormatString(args[0]))) report('console.trace() with several arguments or a format string, convert by hand');
        else calls.push({ call: path.parent.parent, level: TRACE });
      } else report(`console.${method}() has no logger equivalent, convert by hand`);
      return;
    }
    if (grand && (n.MemberExpression.check(grand) || grand.type === 'OptionalMemberExpression') && grand.object === parent) {
      return report(`console.${method}.${grand.property?.name ?? '…'}: the method is taken as a value, convert by hand`);
    }
    return report(`console.${method} is passed as a value, convert by hand`);
  }
  if (n.VariableDeclarator.check(parent) && parent.init === node) return report('destructured from console, convert by hand');
  report('console is used as a value, convert by hand');
}

function convertCall(call: Node & CallNode, logger: string, level: string): Edit[] {
  const callee = call.callee;
  const args = call.arguments;
  if (level === TRACE) {
    const edits: Edit[] = [{ start: callee.start!, end: callee.end!, text: `${logger}.debug` }];
    const stack = '{ stack: new Error().stack }';
    // Node prints "Trace: <message>" (and the console bridge logs that): a literal
    // message keeps the prefix, inside its own quotes; no message is 'Trace'.
    const message = args[0];
    if (!message) edits.push({ start: call.end! - 1, end: call.end! - 1, text: `'Trace', ${stack}` });
    else {
      if (message.type === 'StringLiteral' || message.type === 'TemplateLiteral') edits.push({ start: message.start! + 1, end: message.start! + 1, text: 'Trace: ' });
      edits.push({ start: message.end!, end: message.end!, text: `, ${stack}` });
    }
    return edits;
  }
  const edits: Edit[] = [{ start: callee.start!, end: callee.end!, text: `${logger}.${level}` }];
  if (args.length === 0) {
    edits.push({ start: call.end! - 1, end: call.end! - 1, text: "''" });
    return edits;
  }
  // console.error('failed', err) -> logger.error('failed', { err }): the error travels structured.
  const last = args[args.length - 1] as Node & { name?: string };
  if (args.length >= 2 && last.type === 'Identifier' && ERROR_NAME.test(last.name ?? '') && !isFormatString(args[0]!)) {
    edits.push({ start: last.start!, end: last.end!, text: last.name === 'err' ? '{ err }' : `{ err: ${last.name} }` });
  }
  return edits;
}

/** A string or template literal with a printf token (%s, %d…). */
function isFormatString(node: Node & { value?: unknown; quasis?: { value: { raw: string } }[] }): boolean {
  return (node.type === 'StringLiteral' && FORMAT_TOKEN.test(String(node.value))) || (node.type === 'TemplateLiteral' && (node.quasis ?? []).some((q) => FORMAT_TOKEN.test(q.value.raw)));
}

/** The getLogger binding imported from callscope, and a top-level logger made with it, if any. */
function findExisting(body: Node[]): { getLogger?: string; logger?: string; importNode?: Node } {
  const found: { getLogger?: string; logger?: string; importNode?: Node } = {};
  for (const statement of body as (Node & Record<string, any>)[]) {
    if (statement.type === 'ImportDeclaration' && statement.source.value === 'callscope' && statement.importKind !== 'type') {
      found.importNode = statement;
      for (const spec of statement.specifiers ?? []) if (spec.type === 'ImportSpecifier' && spec.imported.name === 'getLogger') found.getLogger = spec.local.name;
    }
    if (statement.type !== 'VariableDeclaration') continue;
    for (const decl of statement.declarations) {
      const init = decl.init;
      if (isRequireOf(init, 'callscope') && decl.id.type === 'ObjectPattern') {
        for (const prop of decl.id.properties) if (prop.key?.name === 'getLogger' && prop.value?.type === 'Identifier') found.getLogger = prop.value.name;
      }
      if (found.getLogger && init?.type === 'CallExpression' && init.callee.type === 'Identifier' && init.callee.name === found.getLogger && decl.id.type === 'Identifier') {
        found.logger = decl.id.name;
      }
    }
  }
  return found;
}

function isRequireOf(node: any, name?: string): boolean {
  return node?.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'StringLiteral' && (name === undefined || node.arguments[0].value === name);
}

function pick(names: Set<string>, candidates: string[]): string {
  for (const name of candidates) if (!names.has(name)) return name;
  for (let i = 2; ; i++) if (!names.has(`${candidates[0]}${i}`)) return `${candidates[0]}${i}`;
}

function insertLogger(program: { body: Node[]; sourceType?: string }, source: string, calls: { call: Path }[], getLogger: string, logger: string, esmRuntime: boolean, imported: boolean): Edit {
  const body = program.body as (Node & Record<string, any>)[];
  const esmSyntax = program.sourceType === 'module' || (esmRuntime && !body.some((s) => s.type === 'VariableDeclaration' && s.declarations.some((d: any) => isRequireOf(d.init))));
  // After the imports (and the leading requires of a CommonJS file)…
  let index = 0;
  for (let i = 0; i < body.length; i++) {
    const s = body[i]!;
    const header = s.type === 'ImportDeclaration' || (!esmSyntax && s.type === 'VariableDeclaration' && s.declarations.every((d: any) => isRequireOf(d.init) || isRequireOf(d.init?.object))) || (!esmSyntax && s.type === 'ExpressionStatement' && isRequireOf(s.expression));
    if (header) index = i + 1;
    else if (!esmSyntax) break;
  }
  // …but before the first top-level statement that logs (a `const` is not hoisted).
  const starts = calls.map(({ call }) => (call.node as Node).start ?? 0);
  const firstUse = body.findIndex((s) => starts.some((start) => start >= (s.start ?? 0) && start < (s.end ?? 0)));
  if (firstUse >= 0 && firstUse < index) index = firstUse;

  // In the file's own style: quotes, semicolons, line endings.
  const q = (source.match(/'/g)?.length ?? 0) >= (source.match(/"/g)?.length ?? 0) ? "'" : '"';
  const sample = body.find((s) => s.type === 'ImportDeclaration' || s.type === 'VariableDeclaration' || s.type === 'ExpressionStatement');
  const semi = !sample || source.slice(sample.start, sample.end).trimEnd().endsWith(';') ? ';' : '';
  const eol = source.includes('\r\n') ? '\r\n' : '\n';
  const binding = getLogger === 'getLogger' ? 'getLogger' : `getLogger${esmSyntax ? ' as' : ':'} ${getLogger}`;
  const lines: string[] = [];
  if (!imported) lines.push(esmSyntax ? `import { ${binding} } from ${q}callscope${q}${semi}` : `const { ${binding} } = require(${q}callscope${q})${semi}`);
  lines.push(`const ${logger} = ${getLogger}(${esmRuntime ? 'import.meta.url' : '__filename'})${semi}`);
  if (index > 0) {
    const at = body[index - 1]!.end!;
    return { start: at, end: at, text: eol + lines.join(eol) };
  }
  const at = body[0]!.start!;
  return { start: at, end: at, text: lines.join(eol) + eol + eol };
}
