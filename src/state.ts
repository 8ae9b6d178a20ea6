// Process-wide state, kept on globalThis under a registry symbol: the ESM and
// the CJS builds of callscope (and two installed copies) then share one SDK, so
// `--import callscope/register` plus a `require('callscope')` never start twice.

import type { Config } from './config.js';
import type { Sdk } from './sdk.js';

export interface State {
  sdk?: Sdk;
  config?: Config;
  startedBy?: 'register' | 'start()';
  shutdown?: Promise<void>;
}

const KEY = Symbol.for('callscope.state');
const holder = globalThis as { [KEY]?: State };

export const state: State = (holder[KEY] ??= {});

declare const __CALLSCOPE_VERSION__: string;
export const VERSION: string = typeof __CALLSCOPE_VERSION__ === 'string' ? __CALLSCOPE_VERSION__ : '0.0.0-dev';
