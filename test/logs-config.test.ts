// Logging settings from the environment and options: precedence, per-logger
// levels, and one warning per bad value (variable, bad part, value used).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Warnings } from '../src/env.ts';
import { levelFor, resolveLogsSettings } from '../src/logs/logs-config.ts';

describe('logging settings', () => {
  test('defaults', () => {
    const settings = resolveLogsSettings({}, { NODE_ENV: 'production' });
    assert.deepEqual(settings, { level: 'info', loggerLevels: [], format: 'json', console: true, spanEvents: 'warn' });
  });

  test('CALLSCOPE_LOG_LEVEL beats LOG_LEVEL beats the option; aliases', () => {
    assert.equal(resolveLogsSettings({ level: 'error' }, { LOG_LEVEL: 'warning', CALLSCOPE_LOG_LEVEL: 'debug' }).level, 'debug');
    assert.equal(resolveLogsSettings({ level: 'error' }, { LOG_LEVEL: 'WARNING' }).level, 'warn');
    assert.equal(resolveLogsSettings({ level: 'error' }, {}).level, 'error');
    assert.equal(resolveLogsSettings({}, { LOG_LEVEL: 'silly' }).level, 'trace');
  });

  test('per-logger levels: exact name, path prefix, file name; longest wins', () => {
    const settings = resolveLogsSettings({}, { CALLSCOPE_LOG_LEVEL: 'warn, db=debug ,src/ws=error,src/ws/hot=trace' });
    assert.equal(levelFor(settings, 'app'), 'warn');
    assert.equal(levelFor(settings, 'db'), 'debug');
    assert.equal(levelFor(settings, 'src/db.ts'), 'debug');
    assert.equal(levelFor(settings, 'src/ws/server.ts'), 'error');
    assert.equal(levelFor(settings, 'src/ws/hot/loop.ts'), 'trace');
    assert.equal(levelFor(settings, 'src/wsx.ts'), 'warn');
  });

  test('bad values: one warning each, the good parts still apply', () => {
    const warnings = new Warnings();
    const settings = resolveLogsSettings({}, { CALLSCOPE_LOG_LEVEL: 'debug,=info,db=loud', CALLSCOPE_LOG_FORMAT: 'yaml', CALLSCOPE_CONSOLE: 'sometimes', CALLSCOPE_LOG_SPAN_EVENTS: 'all' }, warnings);
    assert.equal(settings.level, 'debug');
    assert.deepEqual(settings.loggerLevels, []);
    assert.equal(settings.console, true);
    assert.equal(settings.spanEvents, 'warn');
    assert.deepEqual(warnings.messages, [
      'CALLSCOPE_LOG_LEVEL: "=info" is not a level (fatal, error, warn, info, debug, trace) or name=level; using the default level for it',
      'CALLSCOPE_LOG_LEVEL: "db=loud" is not a level (fatal, error, warn, info, debug, trace) or name=level; using the default level for it',
      'CALLSCOPE_LOG_FORMAT: "yaml" is not one of json, pretty; using json',
      'CALLSCOPE_CONSOLE: "sometimes" is not true/false; using true',
      'CALLSCOPE_LOG_SPAN_EVENTS: "all" is not one of fatal, error, warn, info, debug, trace, off; using warn',
    ]);
  });

  test('options: console off, span events, format', () => {
    const settings = resolveLogsSettings({ console: false, spanEvents: 'off', format: 'pretty' }, {});
    assert.equal(settings.console, false);
    assert.equal(settings.spanEvents, 'off');
    assert.equal(settings.format, 'pretty');
    assert.equal(resolveLogsSettings({ console: false }, { CALLSCOPE_CONSOLE: 'on' }).console, true, 'the variable wins');
  });
});
