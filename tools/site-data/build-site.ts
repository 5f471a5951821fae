/**
 * `plumego site`: this package's docs-site sources built for another repository, from that
 * repository's specs. The sources stay where the package installed them (nothing is copied into
 * the adopter's repository); Astro runs on them with the adopter's data, prose and output folder
 * passed as environment variables, and a cache folder of its own.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { ControlPlane } from '../control-plane/index.ts';
import { readPlumegoPackage } from '../scaffold/index.ts';
import { buildSiteData } from './build-site-data.ts';
import { collectSiteExtras } from './collect-extras.ts';
import { collectHistory, validateHistory } from './history.ts';
import type { SiteHistory } from './site-data-model.ts';

/** A problem with the request, not a crash: the CLI prints message and hint and exits 2. */
export class SiteBuildError extends Error {
  override readonly name = 'SiteBuildError';
  constructor(
    readonly code:
      'PLUMEGO_ERR_SITE_OUT' | 'PLUMEGO_ERR_SITE_DEPS' | 'PLUMEGO_ERR_SITE_SOURCES' | 'PLUMEGO_ERR_SITE_BUILD',
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** Written into the output folder, so a later run knows the folder is a site it may replace. */
export const SITE_MARKER = '.plumego-site';

export interface SiteBuildOptions {
  /** Output folder (created when missing). */
  readonly out: string;
  /** The adopter's prose folder: top-level *.md become pages, modules/<name>.md primer notes. Optional. */
  readonly prose?: string;
  /** The docs-site sources; default: the ones this plumego package carries. */
  readonly sources?: string;
}

export interface SiteBuildResult {
  readonly out: string;
  readonly pages: number;
  readonly modules: number;
  readonly ms: number;
}

/** The docs-site folder of the running plumego package, and the Astro packages its build needs. */
export function findSiteSources(from?: string): { dir: string; needs: Record<string, string> } {
  const pkg = readPlumegoPackage(from);
  const dir = join(pkg.root, 'docs-site');
  if (!existsSync(join(dir, 'astro.config.mjs'))) {
    throw new SiteBuildError(
      'PLUMEGO_ERR_SITE_SOURCES',
      `this plumego install has no docs-site sources (${dir})`,
      'Reinstall plumego; the published package carries docs-site/ for `plumego site`.',
    );
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return { dir, needs: manifest.dependencies ?? {} };
}

/** Refuses an output folder that is a file, holds the repository, or holds anything but an earlier site. */
export function checkOutDir(out: string, root: string): void {
  const rel = relative(out, root);
  if (rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep))) {
    throw new SiteBuildError(
      'PLUMEGO_ERR_SITE_OUT',
      `--out ${out} contains the repository itself`,
      'Choose a folder of its own, e.g. --out site-dist.',
    );
  }
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) {
    throw new SiteBuildError(
      'PLUMEGO_ERR_SITE_OUT',
      `--out ${out} is a file, not a folder`,
      'Pass a folder that does not exist yet (it is created) or an earlier plumego site output.',
    );
  }
  const entries = readdirSync(out);
  if (entries.length && !entries.includes(SITE_MARKER)) {
    throw new SiteBuildError(
      'PLUMEGO_ERR_SITE_OUT',
      `--out ${out} is not empty and is not an earlier plumego site output`,
      "The build replaces the folder's contents; pass an empty or new folder.",
    );
  }
}

/** Resolves Astro's CLI from the site sources (the adopter installs astro and starlight beside plumego). */
export function resolveAstro(sourcesDir: string, needs: Readonly<Record<string, string>>): string {
  const found = new Map(Object.keys(needs).map((name) => [name, findPackageDir(sourcesDir, name)] as const));
  const missing = [...found].filter(([, at]) => at === undefined).map(([name]) => name);
  if (missing.length) {
    const install = Object.entries(needs)
      .map(([n, v]) => `${n}@${v}`)
      .join(' ');
    throw new SiteBuildError(
      'PLUMEGO_ERR_SITE_DEPS',
      `plumego site needs ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed`,
      `npm install --save-dev ${install}`,
    );
  }
  const astro = found.get('astro') ?? findPackageDir(sourcesDir, 'astro');
  if (!astro)
    throw new SiteBuildError(
      'PLUMEGO_ERR_SITE_DEPS',
      'plumego site needs astro, which is not installed',
      `npm install --save-dev astro@${needs['astro'] ?? 'latest'}`,
    );
  return join(astro, 'astro.js');
}

/**
 * Where Node would find `name` from `from`: the nearest node_modules/<name> walking up. Read from the
 * folders, not require.resolve, because a package's "exports" may hide its package.json.
 */
function findPackageDir(from: string, name: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Builds the site for `plane`'s repository into `options.out`. */
export async function buildAdopterSite(plane: ControlPlane, options: SiteBuildOptions): Promise<SiteBuildResult> {
  const started = performance.now();
  const out = resolve(options.out);
  checkOutDir(out, plane.root);
  const { dir, needs } = options.sources ? { dir: options.sources, needs: findSiteSources().needs } : findSiteSources();
  const astro = resolveAstro(dir, needs);
  const work = mkdtempSync(join(tmpdir(), 'plumego-site-'));
  try {
    const data = buildSiteData(plane, await collectSiteExtras(plane));
    writeFileSync(join(work, 'data.json'), JSON.stringify(data));
    writeFileSync(join(work, 'history.json'), JSON.stringify(readCachedHistory(plane.root)));
    const empty = join(work, 'empty');
    mkdirSync(empty);
    const prose = options.prose && existsSync(options.prose) ? resolve(options.prose) : undefined;
    const modulesProse = prose && existsSync(join(prose, 'modules')) ? join(prose, 'modules') : empty;
    const env = {
      ...process.env,
      PLUMEGO_SITE_MODE: 'adopter',
      PLUMEGO_SITE_DATA: join(work, 'data.json'),
      PLUMEGO_SITE_DOCS: prose ?? empty,
      PLUMEGO_SITE_PROSE: modulesProse,
      PLUMEGO_SITE_CACHE: join(work, 'cache'),
      PLUMEGO_SITE_HISTORY: join(work, 'history.json'),
      ASTRO_TELEMETRY_DISABLED: '1',
    };
    // Astro stages a build whose outDir lies outside its working directory in <cwd>/.astro, imports the
    // staged chunks from there (so packages must resolve from it) and deletes the folder afterwards. Run
    // from a folder of our own under the sources' node_modules/.cache, with --root at the sources: run
    // from the sources themselves, the staging folder would be their own .astro, shared by every build.
    const stage = join(dir, 'node_modules', '.cache');
    mkdirSync(stage, { recursive: true });
    const cwd = mkdtempSync(join(stage, 'plumego-site-'));
    const run = await runNode([astro, 'build', '--root', dir, '--outDir', out], cwd, env).finally(() =>
      rmSync(cwd, { recursive: true, force: true }),
    );
    if (run.code !== 0) {
      throw new SiteBuildError(
        'PLUMEGO_ERR_SITE_BUILD',
        `astro build failed (exit ${run.code})`,
        run.output.trim().split('\n').slice(-25).join('\n'),
      );
    }
    writeFileSync(
      join(out, SITE_MARKER),
      `${JSON.stringify({ builtBy: 'plumego site', repository: plane.repo.identity.name }, null, 2)}\n`,
    );
    return { out, pages: countPages(out), modules: data.modules.length, ms: Math.round(performance.now() - started) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function runNode(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

function countPages(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('index.html') || f === '404.html',
  ).length;
}

/**
 * The adopter's history, reusing earlier samples from node_modules/.cache (commits never change, so
 * a sample read once is good forever). A shallow clone or a folder outside git gives a history
 * marked unavailable, and the page says why instead of failing the build.
 */
function readCachedHistory(root: string): SiteHistory {
  const cacheDir = join(root, 'node_modules', '.cache', 'plumego');
  const cacheFile = join(cacheDir, 'site-history.json');
  let previous: SiteHistory | undefined;
  try {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as unknown;
    if (validateHistory(cached).length === 0) previous = cached as SiteHistory;
  } catch {
    previous = undefined;
  }
  const history = collectHistory(root, previous ? { previous } : {});
  if (history.available && existsSync(join(root, 'node_modules'))) {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(cacheFile, JSON.stringify(history));
  }
  return history;
}

/** `plumego site --write-history <file>`: the history file this repository commits (see history.ts). */
export function writeHistoryFile(root: string, file: string, samples?: number): SiteHistory {
  let previous: SiteHistory | undefined;
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (validateHistory(parsed).length === 0) previous = parsed as SiteHistory;
  }
  const history = collectHistory(root, {
    ...(previous ? { previous } : {}),
    ...(samples !== undefined ? { samples } : {}),
  });
  if (!history.available && previous?.available) {
    throw new SiteBuildError(
      'PLUMEGO_ERR_SITE_BUILD',
      `cannot update ${file}: history is unavailable here (${history.reason ?? ''})`,
      'Run it in a full clone; the committed file is kept as it is.',
    );
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(history, null, 2)}\n`);
  return history;
}
