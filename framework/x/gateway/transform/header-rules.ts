import { validateHeaderName, validateHeaderValue } from 'node:http';
import { TransformError } from './errors.ts';

/** Header edits, applied in this order: remove, rename, set, add. Names are case-insensitive. */
export interface HeaderRules {
  /** Deleted. */
  remove?: readonly string[];
  /** Moved to a new name (all values), when present. */
  rename?: Readonly<Record<string, string>>;
  /** Replaced (or created) with exactly this value. */
  set?: Readonly<Record<string, string>>;
  /** Appended as one more value. */
  add?: Readonly<Record<string, string>>;
}

export interface ResolvedHeaderRules {
  remove: readonly string[];
  rename: readonly (readonly [string, string])[];
  set: readonly (readonly [string, string])[];
  add: readonly (readonly [string, string])[];
}

/** A header record as the proxy's `UpstreamRequest`/`UpstreamResponse` carry it. */
export type MutableHeaders = Record<string, string | string[]>;

function checkName(name: string): string {
  try {
    validateHeaderName(name);
  } catch {
    throw new TransformError(`invalid header name ${JSON.stringify(name)}`);
  }
  return name.toLowerCase();
}

function checkPair([name, value]: [string, string]): readonly [string, string] {
  const lower = checkName(name);
  try {
    validateHeaderValue(lower, value);
  } catch {
    // The value is not echoed: it may be a credential.
    throw new TransformError(`invalid value for header ${lower}`);
  }
  return [lower, value] as const;
}

/** Validates names and values once, when the transform is built. */
export function resolveHeaderRules(rules: HeaderRules = {}): ResolvedHeaderRules {
  return {
    remove: (rules.remove ?? []).map(checkName),
    rename: Object.entries(rules.rename ?? {}).map(([from, to]) => [checkName(from), checkName(to)] as const),
    set: Object.entries(rules.set ?? {}).map(checkPair),
    add: Object.entries(rules.add ?? {}).map(checkPair),
  };
}

/** Applies the rules to a lowercase header record in place. */
export function applyHeaderRules(headers: MutableHeaders, rules: ResolvedHeaderRules): void {
  for (const name of rules.remove) delete headers[name];
  for (const [from, to] of rules.rename) {
    const v = headers[from];
    if (v === undefined) continue;
    delete headers[from];
    headers[to] = v;
  }
  for (const [name, value] of rules.set) headers[name] = value;
  for (const [name, value] of rules.add) {
    const prev = headers[name];
    headers[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
}
