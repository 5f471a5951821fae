import { ScaffoldError } from './errors.ts';

/** A route as `app.routes()` reports it (plumego/router's RouteInfo). */
export interface RouteRow {
  readonly method: string;
  readonly path: string;
  readonly name: string;
  readonly tags: readonly string[];
  /** Middleware wrapping the route, outermost first (from the router's list; empty for older routers). */
  readonly middleware: readonly string[];
}

interface RouteSource {
  routes(): readonly (Omit<RouteRow, 'middleware'> & { readonly middleware?: readonly string[] })[];
}

const hasRoutes = (value: unknown): value is RouteSource =>
  typeof value === 'object' && value !== null && typeof (value as { routes?: unknown }).routes === 'function';

/** An App, or a service object holding one in `.app` (the production template's shape). */
function asRouteSource(value: unknown): RouteSource | undefined {
  if (hasRoutes(value)) return value;
  const inner = typeof value === 'object' && value !== null ? (value as { app?: unknown }).app : undefined;
  return hasRoutes(inner) ? inner : undefined;
}

/** Exports tried in order when none is named: an app instance first, then the usual factories. */
export const APP_EXPORTS = ['app', 'default', 'createService', 'createApp'] as const;

/**
 * Finds the app in an entry module by duck typing (never `instanceof`: the entry may load another
 * copy of plumego than the CLI). A factory is called without arguments and may be async.
 */
export async function findRouteSource(
  mod: Record<string, unknown>,
  entry: string,
  exportName?: string,
): Promise<RouteSource> {
  const names = exportName ? [exportName] : APP_EXPORTS.filter((n) => n in mod);
  for (const name of names) {
    const value = mod[name];
    if (value === undefined) continue;
    const direct = asRouteSource(value);
    if (direct) return direct;
    if (typeof value === 'function') {
      const built = asRouteSource(await (value as () => unknown)());
      if (built) return built;
    }
  }
  const seen = Object.keys(mod).join(', ') || 'nothing';
  throw new ScaffoldError(
    'PLUMEGO_SCAFFOLD_ENTRY_INVALID',
    exportName
      ? `${entry}: export '${exportName}' is neither an app nor a function returning one (it exports ${seen})`
      : `${entry}: no app found; export an app as 'app' or 'default', or a factory named createService or createApp that needs no arguments (it exports ${seen}), or pass --export`,
  );
}

export function toRouteRows(source: RouteSource): RouteRow[] {
  return source.routes().map((r) => ({
    method: r.method,
    path: r.path,
    name: r.name,
    tags: [...r.tags],
    middleware: [...(r.middleware ?? [])],
  }));
}
