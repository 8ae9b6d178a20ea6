// Public configuration of the ws instrumentation (what a user of the class,
// or callscope's config, can set).

import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/**
 * Which incoming messages get a span:
 * - 'traced' (default): every message whose handling does something traced —
 *   starts a span (an outbound call), writes a log record, asks for the active
 *   span, throws or rejects. The listener always runs in the message's context;
 *   its span is made (with the message's receive time) the first time anything
 *   reads it. A message whose handling does none of that costs no span.
 * - 'all': every message, span made up front;
 * - 'none': no message spans (messages are still counted);
 * - a number in [0, 1]: that fraction of messages, span made up front. The
 *   others run in an unsampled context, so the calls they make are not traced
 *   either: a message is traced whole or not at all.
 */
export type MessageSpans = 'traced' | 'all' | 'none' | number;

export interface WsInstrumentationConfig extends InstrumentationConfig {
  messageSpans?: MessageSpans;
  /** A PRODUCER span per `send()` instead of the default span event. Default false. */
  sendSpans?: boolean;
}
