// Attribute names of our own (no semantic convention covers WebSocket yet) and
// the small pure functions that compute attribute values.

export const ATTR_CONNECTION_ID = 'callscope.ws.connection_id';
export const ATTR_PROTOCOL = 'callscope.ws.protocol';
export const ATTR_MESSAGE_SIZE = 'callscope.ws.message.size';
export const ATTR_MESSAGE_TYPE = 'callscope.ws.message.type';
export const ATTR_CLOSE_CODE = 'callscope.ws.close.code';
export const ATTR_CLOSE_REASON = 'callscope.ws.close.reason';
export const ATTR_MESSAGES_RECEIVED = 'callscope.ws.messages.received';
export const ATTR_MESSAGES_SENT = 'callscope.ws.messages.sent';
export const ATTR_CONNECTION_DURATION = 'callscope.ws.connection.duration_ms';
/** Set on a message span that the connection's close ended while its async listener was still running. */
export const ATTR_UNFINISHED = 'callscope.ws.message.unfinished';
export const ATTR_SEVERITY = 'callscope.severity';

export type Severity = 'info' | 'warn' | 'error';

/**
 * Severity of a close code (RFC 6455 §7.4.1):
 * - 1000 normal, 1001 going away, 1005 no status, 1012 service restart, 4xxx (application) -> info;
 * - 1006 abnormal (the peer vanished without a close frame) and the codes that
 *   blame the peer's data or policy (1002, 1003, 1007, 1008, 1009, 1010, 1013) -> warn;
 * - 1011 internal error, 1014 bad gateway, 1015 TLS failure -> error.
 */
export function closeSeverity(code: number): Severity {
  if (code === 1011 || code === 1014 || code === 1015) return 'error';
  if (code === 1006 || code === 1002 || code === 1003 || code === 1007 || code === 1008 || code === 1009 || code === 1010 || code === 1013) return 'warn';
  return 'info';
}

/** Byte length of a message as ws delivers it (Buffer, ArrayBuffer, Buffer[] for binaryType 'fragments') or as the app sends it. */
export function messageSize(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (Array.isArray(data)) {
    let total = 0;
    for (const part of data) total += messageSize(part);
    return total;
  }
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  if (typeof Blob !== 'undefined' && data instanceof Blob) return data.size;
  return 0;
}

/** The path of a request target, without the query string (it can hold tokens) and bounded in length. */
export function pathOf(target: string | undefined): string {
  if (!target) return '/';
  const query = target.search(/[?#]/);
  const path = query === -1 ? target : target.slice(0, query);
  return (path || '/').slice(0, 256);
}

/** A close reason as text, at most 123 bytes by the protocol; never a payload. */
export function closeReason(reason: unknown): string {
  if (typeof reason === 'string') return reason.slice(0, 123);
  if (Buffer.isBuffer(reason)) return reason.toString('utf8', 0, 123);
  return '';
}
