// callscope.websocket.connections and callscope.websocket.messages.
//
// Both are observable instruments read from plain integers: a message costs an
// increment, not a synchronous Counter.add() (which hashes its attributes on
// every call) — this is on the hot path of every message in and out.

import type { Attributes, Meter } from '@opentelemetry/api';

/** Totals for one route (server side) or one remote host (client side). */
export interface ConnectionMetrics {
  active: number;
  received: number;
  sent: number;
  readonly attributes: Attributes;
  readonly receivedAttributes: Attributes;
  readonly sentAttributes: Attributes;
}

/** Paths can carry ids (/rooms/123): past this many distinct keys, new ones share one entry. */
const MAX_KEYS = 200;
const OTHER = '_OTHER';

export class WsMetrics {
  private readonly entries = new Map<string, ConnectionMetrics>();

  /** Server connections are keyed by request path, client connections by host. */
  entry(key: 'url.path' | 'server.address', value: string): ConnectionMetrics {
    const id = `${key}\0${value}`;
    const found = this.entries.get(id);
    if (found) return found;
    if (this.entries.size >= MAX_KEYS && value !== OTHER) return this.entry(key, OTHER);
    const attributes = { [key]: value };
    const created: ConnectionMetrics = {
      active: 0,
      received: 0,
      sent: 0,
      attributes,
      receivedAttributes: { ...attributes, direction: 'received' },
      sentAttributes: { ...attributes, direction: 'sent' },
    };
    this.entries.set(id, created);
    return created;
  }

  /** Creates the instruments on `meter` (called again whenever the meter provider changes). */
  register(meter: Meter): void {
    const connections = meter.createObservableUpDownCounter('callscope.websocket.connections', {
      description: 'Open WebSocket connections (server side by url.path, client side by server.address)',
      unit: '{connection}',
    });
    const messages = meter.createObservableCounter('callscope.websocket.messages', {
      description: 'WebSocket messages, by direction (sent/received)',
      unit: '{message}',
    });
    connections.addCallback((result) => {
      for (const entry of this.entries.values()) result.observe(entry.active, entry.attributes);
    });
    messages.addCallback((result) => {
      for (const entry of this.entries.values()) {
        result.observe(entry.received, entry.receivedAttributes);
        result.observe(entry.sent, entry.sentAttributes);
      }
    });
  }
}
