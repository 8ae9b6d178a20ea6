// CALLSCOPE_WS_MESSAGE_SPANS and CALLSCOPE_WS_SEND_SPANS (and the `ws` option)
// -> the ws instrumentation's settings. Read by resolveConfig; never throws.

import { type Env, type Warnings, readBoolean } from '../env.js';
import type { MessageSpans } from './types.js';

export interface WsSettings {
  messageSpans: MessageSpans;
  sendSpans: boolean;
}

export interface WsOptions {
  /** 'traced' (default), 'all', 'none', or the fraction of messages traced (0..1). Overridden by CALLSCOPE_WS_MESSAGE_SPANS. */
  messageSpans?: MessageSpans;
  /** A PRODUCER span per ws.send() instead of a span event. Overridden by CALLSCOPE_WS_SEND_SPANS. Default false. */
  sendSpans?: boolean;
}

export function resolveWsSettings(options: WsOptions | undefined, env: Env, warnings: Warnings): WsSettings {
  const fromEnv = env.CALLSCOPE_WS_MESSAGE_SPANS;
  const messageSpans = fromEnv !== undefined && fromEnv.trim() !== ''
    ? readMessageSpans(warnings, 'CALLSCOPE_WS_MESSAGE_SPANS', fromEnv)
    : readMessageSpans(warnings, 'ws.messageSpans', options?.messageSpans);
  const sendSpans = readBoolean(warnings, 'CALLSCOPE_WS_SEND_SPANS', env.CALLSCOPE_WS_SEND_SPANS, options?.sendSpans === true);
  return { messageSpans, sendSpans };
}

function readMessageSpans(warnings: Warnings, name: string, raw: string | number | undefined): MessageSpans {
  if (raw === undefined) return 'traced';
  const text = String(raw).trim().toLowerCase();
  if (text === 'traced' || text === 'all' || text === 'none') return text;
  const ratio = typeof raw === 'number' ? raw : text === '' ? NaN : Number(text);
  if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) return ratio >= 1 ? 'all' : ratio;
  warnings.add(name, `${JSON.stringify(raw)} is not traced, all, none or a ratio between 0 and 1`, 'traced');
  return 'traced';
}
