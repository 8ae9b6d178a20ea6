// Turns the fields of a log record into plain JSON-safe data, once per record,
// so the stdout line and the OTLP attributes show the same thing. The point is
// errors: JSON.stringify(new Error('x')) is `{}`. Here an Error (also nested, in
// a `cause` chain, inside an AggregateError) becomes { name, message, stack, … }.
// Cycles, BigInt, Map/Set, Buffers and deep nesting are made safe as well.

const MAX_DEPTH = 8;
const MAX_ARRAY = 100;

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  [key: string]: unknown;
}

export function isError(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

/** A plain JSON-safe copy of `value`. Primitives come back unchanged (the common, fast case). */
export function toPlain(value: unknown, depth = 0, seen?: Set<object>): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'function' || typeof value === 'symbol') return undefined;
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    return value;
  }
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[Array]' : '[Object]';
  seen ??= new Set();
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (isError(value)) return serializeError(value, depth, seen);
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (Buffer.isBuffer(value)) return `<Buffer ${value.length} bytes>`;
    if (Array.isArray(value)) return value.slice(0, MAX_ARRAY).map((item) => toPlain(item, depth + 1, seen) ?? null);
    if (value instanceof Map) return plainObject(Object.fromEntries([...value].map(([k, v]) => [String(k), v])), depth, seen);
    if (value instanceof Set) return [...value].slice(0, MAX_ARRAY).map((item) => toPlain(item, depth + 1, seen) ?? null);
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return toPlain((value as { toJSON(): unknown }).toJSON(), depth + 1, seen);
    return plainObject(value as Record<string, unknown>, depth, seen);
  } catch {
    return '[Unserializable]'; // a throwing getter or toJSON must not lose the whole record
  } finally {
    seen.delete(value);
  }
}

function plainObject(object: Record<string, unknown>, depth: number, seen: Set<object>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const plain = toPlain(object[key], depth + 1, seen);
    if (plain !== undefined) result[key] = plain;
  }
  return result;
}

export function serializeError(error: Error, depth = 0, seen: Set<object> = new Set([error])): SerializedError {
  const result: SerializedError = { name: String(error.name ?? 'Error'), message: String(error.message ?? '') };
  if (typeof error.stack === 'string') result.stack = error.stack;
  // Own fields such as `code`, `errno`, `statusCode`, `$metadata`.
  for (const key of Object.keys(error)) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause' || key === 'errors') continue;
    const plain = toPlain((error as unknown as Record<string, unknown>)[key], depth + 1, seen);
    if (plain !== undefined) result[key] = plain;
  }
  // `cause` and AggregateError's `errors` are usually non-enumerable: read them explicitly.
  const { cause, errors } = error as { cause?: unknown; errors?: unknown };
  if (cause !== undefined) result.cause = toPlain(cause, depth + 1, seen);
  if (Array.isArray(errors)) result.errors = errors.map((item) => toPlain(item, depth + 1, seen) ?? null);
  return result;
}
