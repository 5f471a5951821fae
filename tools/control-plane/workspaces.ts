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
  const listed = Array.isArray(raw) ? raw : raw && typeof raw === 'object' && Array.isArray((raw as { packages?: unknown }).packages) ? (raw as { packages: unknown[] }).packages : [];
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

/** `packages/*` → every direct subfolder with a package.json; `packages/**` → at any depth up to 5 (never node_modules). */
function expandPattern(root: string, pattern: string): string[] {
  const star = pattern.indexOf('*');
  const base = pattern.slice(0, star).replace(/\/+$/, '');
  const deep = pattern.slice(star).startsWith('**');
  const out: string[] = [];
  const walk = (rel: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(rel ? `${root}/${rel}` : root, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules') continue;
      const dir = rel ? `${rel}/${e.name}` : e.name;
      if (existsSync(`${root}/${dir}/package.json`)) out.push(dir);
      if (deep && depth < 4) walk(dir, depth + 1);
    }
  };
  walk(base, 0);
  return out;
}
