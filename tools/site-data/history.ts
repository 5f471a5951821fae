/**
 * The repository's history for the docs site's charts: at sampled commits of the first-parent line,
 * the modules per tier, the boundary-baseline size and each module's declared public API size, read
 * straight from git objects (no checkout, no check run), so a sample costs two git calls.
 *
 * Why a committed file for this repository: CI clones shallowly (no history to read) and the past
 * does not change, so `plumego site --write-history <file>` writes it once and reuses every sampled
 * commit it already has on the next run (commits are immutable; only new samples are read).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import type { SiteHistory, SiteHistoryPoint } from './site-data-model.ts';

export const HISTORY_HEADER = 'generated from git history by `plumego site --write-history` — do not edit';
/** Paths whose module.yaml files are test data or templates, not modules of the repository. */
const NOT_MODULES = /(^|\/)(fixtures|templates|testing|generated|node_modules)\//;

export interface HistoryOptions {
  /** How many commits to sample along the first-parent line (the newest is always one). */
  readonly samples?: number;
  /** An earlier result: its points are reused by commit id. */
  readonly previous?: SiteHistory;
}

const git = (root: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/** Why history cannot be read here, or undefined when it can. */
export function historyUnavailable(root: string): string | undefined {
  const inside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: root, encoding: 'utf8' });
  if (inside.status !== 0) return 'not a git repository';
  if (git(root, 'rev-parse', '--is-shallow-repository').trim() === 'true')
    return 'a shallow clone (fetch the full history, e.g. actions/checkout with fetch-depth: 0)';
  const head = spawnSync('git', ['rev-parse', '--verify', '-q', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (head.status !== 0) return 'no commits yet';
  return undefined;
}

/** Evenly spaced picks from `items`, always including the first and the last. */
export function sampleEvenly<T>(items: readonly T[], count: number): T[] {
  if (count <= 0) return [];
  if (items.length <= count) return [...items];
  if (count === 1) return [items[items.length - 1]!];
  const picked = new Set<number>();
  for (let i = 0; i < count; i += 1) picked.add(Math.round((i * (items.length - 1)) / (count - 1)));
  return [...picked].sort((a, b) => a - b).map((i) => items[i]!);
}

/** Reads the history, or returns `{ unavailable }` with the reason (the page then says so). */
export function collectHistory(root: string, options: HistoryOptions = {}): SiteHistory {
  const reason = historyUnavailable(root);
  if (reason) return { $comment: HISTORY_HEADER, available: false, reason, points: [] };
  const log = git(root, 'log', '--first-parent', '--reverse', '--format=%H %cI')
    .trim()
    .split('\n')
    .map((l) => {
      const [sha, date] = l.split(' ');
      return { sha: sha!, date: date! };
    });
  const known = new Map((options.previous?.points ?? []).map((p) => [p.sha, p] as const));
  const points = sampleEvenly(log, options.samples ?? 40).map(
    (c) => known.get(c.sha) ?? readPoint(root, c.sha, c.date),
  );
  return { $comment: HISTORY_HEADER, available: true, reason: null, points };
}

function readPoint(root: string, sha: string, date: string): SiteHistoryPoint {
  const paths = git(root, 'ls-tree', '-r', '--name-only', sha)
    .split('\n')
    .filter((p) => (p === 'module.yaml' || p.endsWith('/module.yaml')) && !NOT_MODULES.test(p));
  const files = readBlobs(root, sha, [...paths, 'specs/boundary-baseline.yaml']);
  const tiers: Record<string, number> = {};
  const api: Record<string, number> = {};
  for (const path of paths) {
    const manifest = safeParse(files.get(path)) as
      { name?: unknown; status?: unknown; public_entrypoints?: unknown } | undefined;
    if (!manifest || typeof manifest.name !== 'string') continue;
    const tier = typeof manifest.status === 'string' ? manifest.status : 'unknown';
    tiers[tier] = (tiers[tier] ?? 0) + 1;
    api[manifest.name] = Array.isArray(manifest.public_entrypoints) ? manifest.public_entrypoints.length : 0;
  }
  const baseline = safeParse(files.get('specs/boundary-baseline.yaml')) as { entries?: unknown } | undefined;
  return {
    sha,
    date,
    modules: Object.values(tiers).reduce((a, b) => a + b, 0),
    tiers: sortKeys(tiers),
    baseline: Array.isArray(baseline?.entries) ? baseline.entries.length : null,
    api: sortKeys(api),
  };
}

/** Blob texts by path at `sha`, through one `git cat-file --batch` (missing paths are left out). */
function readBlobs(root: string, sha: string, paths: readonly string[]): Map<string, string> {
  const out = spawnSync('git', ['cat-file', '--batch'], {
    cwd: root,
    input: paths.map((p) => `${sha}:${p}`).join('\n') + '\n',
    maxBuffer: 256 * 1024 * 1024,
  });
  const buf = out.stdout;
  const files = new Map<string, string>();
  let at = 0;
  for (const path of paths) {
    const eol = buf.indexOf(10, at);
    if (eol === -1) break;
    const header = buf.subarray(at, eol).toString('utf8');
    at = eol + 1;
    if (header.endsWith(' missing')) continue;
    const size = Number(header.split(' ')[2]);
    files.set(path, buf.subarray(at, at + size).toString('utf8'));
    at += size + 1;
  }
  return files;
}

function safeParse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Checks a history file's shape (the committed one is read by every site build, CI's shallow clone included). */
export function validateHistory(value: unknown): string[] {
  const problems: string[] = [];
  const h = value as Partial<SiteHistory> | null;
  if (!h || typeof h !== 'object') return ['not an object'];
  if (h.$comment !== HISTORY_HEADER) problems.push('missing the generated header');
  if (typeof h.available !== 'boolean') problems.push('available is not a boolean');
  if (!Array.isArray(h.points)) return [...problems, 'points is not a list'];
  if (h.available === false && typeof h.reason !== 'string') problems.push('an unavailable history must say why');
  for (const [i, p] of h.points.entries()) {
    if (!/^[0-9a-f]{40}$/.test(String(p.sha))) problems.push(`points[${i}].sha is not a commit id`);
    if (Number.isNaN(Date.parse(String(p.date)))) problems.push(`points[${i}].date is not a date`);
    const tiers = Object.values((p.tiers ?? {}) as Record<string, unknown>);
    const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;
    if (!tiers.every(isCount)) problems.push(`points[${i}].tiers has a count that is not a whole number`);
    else if (tiers.reduce((a, b) => a + b, 0) !== p.modules)
      problems.push(`points[${i}].modules is not the sum of its tiers`);
    if (p.baseline !== null && !(Number.isInteger(p.baseline) && p.baseline >= 0))
      problems.push(`points[${i}].baseline is not a count or null`);
    if (!Object.values((p.api ?? {}) as Record<string, unknown>).every(isCount))
      problems.push(`points[${i}].api has a size that is not a whole number`);
  }
  return problems;
}
