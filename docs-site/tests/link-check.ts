import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

/** One internal link or asset reference that does not resolve. */
export interface BrokenLink {
  /** The page it appears on, relative to dist (`modules/index.html`). */
  readonly page: string;
  readonly href: string;
  readonly reason: 'missing-page' | 'missing-anchor';
}

export interface LinkReport {
  readonly pages: number;
  readonly links: number;
  readonly broken: readonly BrokenLink[];
}

const ATTR = /\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;
const ID = /\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;

/** Values of href/src outside inline scripts and styles (their text is code, not markup). */
export function extractLinks(html: string): string[] {
  const markup = stripCode(html);
  return [...markup.matchAll(ATTR)].map((m) => decodeEntities(m[1] ?? m[2] ?? m[3] ?? ''));
}

export function extractIds(html: string): Set<string> {
  return new Set([...stripCode(html).matchAll(ID)].map((m) => decodeEntities(m[1] ?? m[2] ?? m[3] ?? '')));
}

function stripCode(html: string): string {
  return html
    .replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, '$1</script>')
    .replace(/(<style\b[^>]*>)[\s\S]*?<\/style>/gi, '$1</style>');
}

function decodeEntities(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

/** External, in-page-script or non-navigable references are not ours to check. */
function isExternal(href: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//');
}

/**
 * Checks every internal link and anchor of a built static site: each target file must exist
 * (directory URLs resolve to index.html) and each #fragment must name an id on the target page.
 */
export function checkLinks(dist: string): LinkReport {
  const pages = listHtml(dist);
  const ids = new Map<string, Set<string>>();
  const idsOf = (file: string): Set<string> => {
    let set = ids.get(file);
    if (!set) {
      set = extractIds(readFileSync(join(dist, file), 'utf8'));
      ids.set(file, set);
    }
    return set;
  };
  const broken: BrokenLink[] = [];
  let links = 0;
  for (const page of pages) {
    const pageUrl = `/${page.split(sep).join('/')}`;
    for (const raw of extractLinks(readFileSync(join(dist, page), 'utf8'))) {
      if (!raw || isExternal(raw)) continue;
      links++;
      const [pathPart = '', fragment] = raw.split('#', 2) as [string, string | undefined];
      const path = pathPart.split('?')[0]!;
      const target =
        path === '' ? page : resolveFile(dist, posix.resolve(posix.dirname(pageUrl), decodeURIComponent(path)));
      if (!target) {
        broken.push({ page, href: raw, reason: 'missing-page' });
        continue;
      }
      if (fragment && target.endsWith('.html') && !idsOf(target).has(decodeURIComponent(fragment))) {
        broken.push({ page, href: raw, reason: 'missing-anchor' });
      }
    }
  }
  return { pages: pages.length, links, broken };
}

function resolveFile(dist: string, urlPath: string): string | undefined {
  const rel = urlPath.replace(/^\/+/, '');
  const candidates = urlPath.endsWith('/') ? [join(rel, 'index.html')] : [rel, join(rel, 'index.html'), `${rel}.html`];
  return candidates.find((c) => existsSync(join(dist, c)) && statSync(join(dist, c)).isFile());
}

function listHtml(dist: string): string[] {
  return readdirSync(dist, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.html'))
    .map((f) => relative(dist, join(dist, f)))
    .sort();
}
