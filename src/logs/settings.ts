// The logging settings in force: those of the running callscope (start() or the
// preload resolved them with the rest of the Config), else read from the
// environment once, so getLogger works in an app that never starts callscope.

import { state } from '../state.js';
import { type LogsSettings, resolveLogsSettings } from './logs-config.js';

let fromEnv: LogsSettings | undefined;

export function logsSettings(): LogsSettings {
  return state.config?.logs ?? (fromEnv ??= resolveLogsSettings());
}
