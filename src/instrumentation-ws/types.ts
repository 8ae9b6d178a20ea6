// Public configuration of the ws instrumentation (what a user of the class,
// or callscope's config, can set).

import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/**
 * Which incoming messages get a span:
 * - 'all': every message (default);
 * - 'none': no message spans (messages are still counted);
 * - a number in [0, 1]: that fraction of messages. The others run in an
 *   unsampled context, so the calls they make are not traced either: a message
 *   is traced whole or not at all.
 */
export type MessageSpans = 'all' | 'none' | number;

export interface WsInstrumentationConfig extends InstrumentationConfig {
  messageSpans?: MessageSpans;
  /** A PRODUCER span per `send()` instead of the default span event. Default false. */
  sendSpans?: boolean;
}
