/** Decides per call whether a tool may run in a scope (session, tenant). Deny is the default everywhere. */
export interface ToolPolicy {
  allows(toolName: string, scope: Readonly<Record<string, string>>): boolean;
}

/** Only the named tools; an empty list allows nothing. */
export function createAllowListPolicy(names: readonly string[]): ToolPolicy {
  const allowed = new Set(names);
  return { allows: (name) => allowed.has(name) };
}

/**
 * A list per value of one scope key (e.g. per tenant); a scope without that key, or with an unlisted
 * value, allows nothing.
 */
export function createScopedAllowListPolicy(
  key: string,
  lists: Readonly<Record<string, readonly string[]>>,
): ToolPolicy {
  const sets = new Map(Object.entries(lists).map(([k, v]) => [k, new Set(v)]));
  return { allows: (name, scope) => scope[key] !== undefined && sets.get(scope[key])?.has(name) === true };
}
