// Edge cases of one file's conversion (codemod-transform.ts), each checked on
// the exact output text: everything not converted stays byte for byte, and a
// second pass changes nothing.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { transformSource } from '../src/cli/codemod-transform.ts';

function convert(source: string, file = 'a.mjs', esm = true) {
  const result = transformSource(source, file, esm);
  assert.equal(transformSource(result.output, file, esm).output, result.output, 'idempotent');
  return result;
}

describe('codemod transform', () => {
  test('a file without console calls is returned as it is', () => {
    const source = "import x from 'x';\nx();\n";
    assert.deepEqual(convert(source), { output: source, converted: 0, problems: [] });
  });

  test('shebang and directive stay first; CRLF line endings and double quotes are kept', () => {
    const source = '#!/usr/bin/env node\r\n"use strict";\r\nconst a = require("a");\r\n\r\nconsole.log("hi");\r\n';
    const { output } = convert(source, 'tool.cjs', false);
    assert.equal(output, '#!/usr/bin/env node\r\n"use strict";\r\nconst a = require("a");\r\nconst { getLogger } = require("callscope");\r\nconst logger = getLogger(__filename);\r\n\r\nlogger.info("hi");\r\n');
  });

  test('tabs are kept (edits land at the real offsets)', () => {
    const { output } = convert("import a from 'a';\n\tfunction f() {\n\t\tconsole.log('tab');\n\t}\n");
    assert.equal(output, "import a from 'a';\nimport { getLogger } from 'callscope';\nconst logger = getLogger(import.meta.url);\n\tfunction f() {\n\t\tlogger.info('tab');\n\t}\n");
  });

  test('no semicolons in, none out', () => {
    const { output } = convert("import a from 'a'\n\nconsole.warn('x')\n");
    assert.equal(output, "import a from 'a'\nimport { getLogger } from 'callscope'\nconst logger = getLogger(import.meta.url)\n\nlogger.warn('x')\n");
  });

  test('an existing getLogger import and module logger are reused; a foreign getLogger is aliased', () => {
    const reuse = convert("import { getLogger } from 'callscope';\nconst log = getLogger(import.meta.url);\nconsole.info('x');\n");
    assert.equal(reuse.output, "import { getLogger } from 'callscope';\nconst log = getLogger(import.meta.url);\nlog.info('x');\n");
    const alias = convert("import { getLogger } from './mine.js';\nconsole.log('x');\n");
    assert.equal(alias.output, "import { getLogger } from './mine.js';\nimport { getLogger as getCallscopeLogger } from 'callscope';\nconst logger = getCallscopeLogger(import.meta.url);\nlogger.info('x');\n");
    const cjsAlias = convert("const getLogger = 1;\nconsole.log('x');\n", 'b.cjs', false);
    assert.match(cjsAlias.output, /^const \{ getLogger: getCallscopeLogger \} = require\('callscope'\);\nconst logger = getCallscopeLogger\(__filename\);\n\nconst getLogger = 1;/);
  });

  test('a top-level call before the imports end: the logger is declared before it', () => {
    const { output } = convert("import a from 'a';\nconsole.log('early');\nimport b from 'b';\n");
    assert.equal(output, "import a from 'a';\nimport { getLogger } from 'callscope';\nconst logger = getLogger(import.meta.url);\nlogger.info('early');\nimport b from 'b';\n");
  });

  test('arguments: format strings kept, errors to { err }, empty calls get a message', () => {
    const { output } = convert("try {} catch (e) {\n  console.error('x %s', e);\n  console.error(e);\n  console.error('bad', dbError);\n  console.log();\n  console.debug?.('opt');\n}\n");
    assert.match(output, /logger\.error\('x %s', e\);\n {2}logger\.error\(e\);\n {2}logger\.error\('bad', \{ err: dbError \}\);\n {2}logger\.info\(''\);\n {2}logger\.debug\?\.\('opt'\);/);
  });

  test('console.trace becomes debug with the stack; several arguments or a format string are reported', () => {
    const { output, converted, problems } = convert("console.trace();\nconsole.trace('here');\nconsole.trace(`at ${step}`);\nconsole.trace('x %d', n);\nconsole.trace('a', b);\nconsole.trace('y %s');\n");
    assert.equal(converted, 3);
    assert.equal(
      output,
      "import { getLogger } from 'callscope';\nconst logger = getLogger(import.meta.url);\n\n" +
        "logger.debug('Trace', { stack: new Error().stack });\nlogger.debug('Trace: here', { stack: new Error().stack });\nlogger.debug(`Trace: at ${step}`, { stack: new Error().stack });\n" +
        "console.trace('x %d', n);\nconsole.trace('a', b);\nconsole.trace('y %s');\n",
    );
    assert.deepEqual(problems.map((p) => `${p.line}: ${p.reason}`), [4, 5, 6].map((line) => `${line}: console.trace() with several arguments or a format string, convert by hand`));
  });

  test('shadowed console (parameter, local, catch binding) is left alone; obj.console and { console } keys are not console', () => {
    const source = "function f(console) { console.log(1); }\nfunction g() { const console = mk(); console.log(2); }\ntry {} catch (console) { console.log(3); }\nobj.console.log(4);\nconst o = { console: 1 };\n";
    assert.deepEqual(convert(source), { output: source, converted: 0, problems: [] });
  });

  test('TypeScript: type assertions and generics parse in .ts, JSX in .tsx', () => {
    const ts = convert("const n = <number>value;\nconsole.log(n as number, new Map<string, number>());\n", 'a.ts');
    assert.equal(ts.converted, 1);
    const tsx = convert('export const A = () => { console.log(1); return <div a="1" />; };\n', 'a.tsx');
    assert.equal(tsx.converted, 1);
    assert.throws(() => transformSource('const x = <div />;\nconsole.log(x);\n', 'a.ts', true), SyntaxError);
  });
});
