import { createHash } from 'node:crypto';
import type { CompletionRequest } from 'plumego/x/ai/provider';

/**
 * JSON with object keys sorted at every level, so two requests that differ only in key order (a tool schema
 * built in another order) share a key. `undefined` properties are dropped, as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/**
 * The cache key of one call: SHA-256 over the namespace (provider name) and the *whole* request — model,
 * messages, tools, tool choice, structured output and every sampling parameter — so a field added to
 * `CompletionRequest` later can never make two different requests collide — plus the routing task, if any.
 */
export function computeCacheKey(namespace: string, request: CompletionRequest, task?: string): string {
  return createHash('sha256')
    .update(canonicalJson({ v: 1, namespace, request, task }))
    .digest('hex');
}

/** A manager's `by_task` routing label picks the model, so it is part of the key (read loosely: providers ignore it). */
export function taskOf(options: unknown): string | undefined {
  const task = (options as { task?: unknown } | undefined)?.task;
  return typeof task === 'string' ? task : undefined;
}
