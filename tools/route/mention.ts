/**
 * A module named by its path in a description ("the CODEOWNERS file has no line for
 * reference/events-service", "declare x/search as a new family in the taxonomy") is often the object of
 * the work, not its owner: the path's words are the module's own name, so they outweigh everything else
 * the description says. This decides, from the rest of the description, whether the path is a mention.
 * Pure: the docs site's router page bundles it with route-core.ts.
 */
import type { RoutingIndex, RoutingPlane } from './build-index.ts';
import type { ResolvedRouteOptions } from './options.ts';
import { scoreModules } from './score.ts';
import { getTermsWithSurface, type Lexicon, type Term } from './tokenise.ts';

export interface Mention {
  /** The module paths the description names, as written (lower-cased). */
  readonly paths: readonly string[];
  /** The description's terms without the paths' words. */
  readonly terms: readonly Term[];
  /** The module the other words name on their own. */
  readonly owner: string;
}

// A path-like word: segments of letters, digits and hyphens joined by slashes, not inside a URL or a file
// path ("GET /users/:id", "specs/error-codes.yaml" are left alone by the prefix check and the guards).
const PATH = /(?<![\w./-])[a-z][a-z0-9-]*(?:\/[a-z0-9-]+)+(?![\w/.-]*\w)/gi;

/** The first segments of the repository's nested module names (x, reference, tools): where module paths start. */
function getPathPrefixes(plane: RoutingPlane): Set<string> {
  return new Set(plane.modules.filter((m) => m.name.includes('/')).map((m) => m.name.split('/')[0] as string));
}

/** Paths in the description that start like a module name, known or not ("x/search" may not exist yet). */
export function findModulePaths(plane: RoutingPlane, description: string): string[] {
  const prefixes = getPathPrefixes(plane);
  return [...description.matchAll(PATH)]
    .map((m) => m[0].toLowerCase())
    .filter((p) => prefixes.has(p.split('/')[0] as string));
}

const related = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

/**
 * The mention, when the description's other words name an owner unrelated to every named path (not the
 * path itself, its family or a module inside it) with at least `mentionScore`, and the named module earns
 * under `mentionShare` of that owner's score from those words. Otherwise undefined: the named module may
 * well own the work ("add a query timeout option to x/data/sql").
 */
export function getMention(
  plane: RoutingPlane,
  index: RoutingIndex,
  description: string,
  lexicon: Lexicon,
  o: ResolvedRouteOptions,
): Mention | undefined {
  if (o.mentionScore === 0) return undefined;
  const paths = findModulePaths(plane, description);
  if (paths.length === 0) return undefined;
  let rest = description;
  for (const p of paths) rest = rest.replace(new RegExp(p.replace(/[/-]/g, '\\$&'), 'gi'), ' ');
  const terms = getTermsWithSurface(rest, lexicon);
  if (terms.length === 0) return undefined;
  const ranked = scoreModules(
    index,
    terms.map((t) => t.term),
    o,
  );
  const best = ranked[0];
  if (!best || best.score < o.mentionScore || paths.some((p) => related(best.name, p))) return undefined;
  // The named module still earning a fair share from the other words ("tools/sync writes CODEOWNERS lines
  // in the wrong order": the CODEOWNERS file is its own primer) is naming its owner, not an object.
  const named = ranked.filter((s) => paths.includes(s.name)).reduce((max, s) => Math.max(max, s.score), 0);
  if (named >= o.mentionShare * best.score) return undefined;
  return { paths, terms, owner: best.name };
}
