/**
 * Workspace packages of a repository: npm/yarn `workspaces` in package.json (a list, or yarn's
 * `{ packages }`) and pnpm-workspace.yaml `packages`, with `dir/*` and `dir/**` expanded to the
 * folders that hold a package.json and `!` exclusions applied. A directory named literally is kept
 * as written, so a missing package.json there is reported by whoever reads it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { PackageJson } from './model.ts';

/** Repository-relative directories of the workspace packages, sorted and unique. */
export function listWorkspaceDirs(root: string, pkg: PackageJson): string[] {
  const raw = pkg['workspaces'];
  const listed = Array.isArray(raw)
    ? raw
    : raw && typeof raw === 'object' && Array.isArray((raw as { packages?: unknown }).packages)
      ? (raw as { packages: unknown[] }).packages
      : [];
  const patterns = [...listed, ...readPnpmWorkspace(root)].filter((w): w is string => typeof w === 'string').map(clean);
  const excluded = new Set(patterns.filter((p) => p.startsWith('!')).flatMap((p) => expand(root, clean(p.slice(1)))));
  const dirs = patterns.filter((p) => !p.startsWith('!')).flatMap((p) => expand(root, p));
  return [...new Set(dirs)].filter((d) => !excluded.has(d) && d !== '' && !d.startsWith('..')).sort();
}

/** True when the repository declares workspaces in either form. */
export function hasWorkspaces(root: string, pkg: PackageJson): boolean {
  return pkg['workspaces'] !== undefined || existsSync(`${root}/pnpm-workspace.yaml`);
}

const clean = (p: string): string => p.replace(/^\.\//, '').replace(/\/+$/, '');

function expand(root: string, pattern: string): string[] {
  return pattern.includes('*') ? expandPattern(root, pattern) : [pattern];
}

/** The `packages` list of pnpm-workspace.yaml (absent or unreadable file → none). */
function readPnpmWorkspace(root: string): string[] {
  let text: string;
  try {
    text = readFileSync(`${root}/pnpm-workspace.yaml`, 'utf8');
  } catch {
    return [];
  }
  try {
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    const data = parse(text, { maxAliasCount: 100 }) as { packages?: unknown } | null;
    return Array.isArray(data?.packages) ? data.packages.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Folders matching a glob, segment by segment (`*` within a segment, `**` for any depth up to 5;
 * a segment starting with `.` may match dot-folders, others never do), that hold a package.json.
 */
function expandPattern(root: string, pattern: string): string[] {
  const segments = pattern.split('/').filter((s) => s !== '' && s !== '.');
  const out = new Set<string>();
  const walk = (rel: string, i: number, depth: number): void => {
    if (i === segments.length) {
      if (rel && existsSync(`${root}/${rel}/package.json`)) out.add(rel);
      return;
    }
    const segment = segments[i]!;
    if (segment === '**') {
      walk(rel, i + 1, depth);
      if (depth < 5) for (const name of listDirs(root, rel, false)) walk(rel ? `${rel}/${name}` : name, i, depth + 1);
      return;
    }
    if (!segment.includes('*')) {
      walk(rel ? `${rel}/${segment}` : segment, i + 1, depth);
      return;
    }
    const match = new RegExp(
      `^${segment
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*')}$`,
    );
    for (const name of listDirs(root, rel, segment.startsWith('.'))) {
      if (match.test(name)) walk(rel ? `${rel}/${name}` : name, i + 1, depth);
    }
  };
  walk('', 0, 0);
  return [...out];
}

function listDirs(root: string, rel: string, dotted: boolean): string[] {
  try {
    return readdirSync(rel ? `${root}/${rel}` : root, { withFileTypes: true })
      .filter(
        (e) =>
          e.isDirectory() &&
          e.name !== 'node_modules' &&
          (dotted || !e.name.startsWith('.')) &&
          e.name !== '.' &&
          e.name !== '..',
      )
      .map((e) => e.name);
  } catch {
    return [];
  }
}
