const SENSITIVE = /token|secret|password|signature|authorization|api[_-]?key|cookie/i;

/** Placeholder written instead of a sensitive value. */
export const REDACTED = '***';

/** True when a field name suggests a credential. */
export function isSensitiveKey(key: string): boolean {
  return SENSITIVE.test(key);
}

/**
 * Copies `value`, replacing the values of sensitive keys (token, secret, password, signature, …)
 * with `***`, recursively through plain objects and arrays (depth-limited, cycle-safe).
 */
export function redactFields(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 8 || seen.has(value)) return '[truncated]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactFields(v, depth + 1, seen));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSensitiveKey(k) ? REDACTED : redactFields(v, depth + 1, seen);
  return out;
}
