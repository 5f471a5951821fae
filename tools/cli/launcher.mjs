// How the CLI's TypeScript gets run. Plain JavaScript because it runs before anything can load .ts.
//
// The sources are bundled with esbuild into node_modules/.cache/plumego/cli/<key>/ on first use
// and rebuilt when any input changes (size and mtime of every bundled file, like make), so there is
// no build step to forget and no stale output to trust. Why not tsx alone: its loader hooks run on
// a separate thread and see every module, dependency-cruiser's and TypeScript's included, which cost
// about a second per run on a large repository (bench/boundaries). tsx stays as the fallback when
// esbuild is missing, the cache is not writable, or PLUMEGO_CLI_SOURCE=1 asks for the sources.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CACHES, cacheKey } from '../cache/caches.mjs';
import { writeCacheFile } from '../cache/write-cache-file.mjs';

/** Bumped in tools/cache/caches.mjs when the bundle layout or the build options change. */
const FORMAT = CACHES.cli.format;
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_ENTRY = fileURLToPath(new URL('./main.ts', import.meta.url));
const BUILT_ENTRY = join(PACKAGE_ROOT, 'dist/tools/cli/main.js');
const DEFAULT_CACHE_DIR = join(PACKAGE_ROOT, CACHES.cli.path);
/** Builds that are no longer current are removed after this long: a running process may still load chunks from them. */
const STALE_BUILD_MS = 60 * 60 * 1000;

/**
 * The CLI module (`{ main }`): from a fresh bundle, a new one, or the sources through tsx.
 * `entry` and `cacheDir` exist for tests; PLUMEGO_CLI_CACHE moves the cache (read-only installs).
 */
export async function loadCli({
  entry = DEFAULT_ENTRY,
  cacheDir = process.env.PLUMEGO_CLI_CACHE || DEFAULT_CACHE_DIR,
} = {}) {
  // An installed package ships the compiled CLI (npm run build) and not its TypeScript sources.
  if (!existsSync(entry) && existsSync(BUILT_ENTRY)) return import(pathToFileURL(BUILT_ENTRY).href);
  if (process.env.PLUMEGO_CLI_SOURCE !== '1') {
    const bundle = findFreshBundle(cacheDir, entry) ?? (await buildBundle(cacheDir, entry));
    if (bundle) return import(pathToFileURL(bundle).href);
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(entry).href);
}

function stampOf(path) {
  try {
    const s = statSync(path);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return 'missing';
  }
}

function readCurrent(cacheDir) {
  try {
    return JSON.parse(readFileSync(join(cacheDir, 'current.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The bundle's main file when the last build is of this entry and none of its inputs changed since. */
export function findFreshBundle(cacheDir, entry = DEFAULT_ENTRY) {
  const current = readCurrent(cacheDir);
  if (!current || current.format !== FORMAT || current.entry !== entry) return undefined;
  for (const [path, stamp] of Object.entries(current.inputs)) if (stampOf(path) !== stamp) return undefined;
  const main = join(cacheDir, current.key, 'main.mjs');
  return stampOf(main) === 'missing' ? undefined : main;
}

/**
 * Bundles `entry` (code splitting keeps the commands' lazy imports lazy; npm packages stay external)
 * and returns the path of its main file, or undefined when it cannot be built or written.
 */
export async function buildBundle(cacheDir, entry = DEFAULT_ENTRY) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return undefined;
  }
  const tmp = join(cacheDir, `tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    const inputs = {};
    const result = await esbuild.build({
      entryPoints: { main: entry },
      absWorkingDir: dirname(entry),
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      conditions: ['source'],
      metafile: true,
      logLevel: 'silent',
      plugins: [keepSourceLocations(inputs)],
    });
    for (const input of Object.keys(result.metafile.inputs)) {
      const path = join(dirname(entry), input);
      inputs[path] ??= stampOf(path);
    }
    const key = cacheKey(CACHES.cli, [esbuild.version, entry, JSON.stringify(Object.entries(inputs).sort())]).slice(
      0,
      16,
    );
    const final = join(cacheDir, key);
    try {
      renameSync(tmp, final);
    } catch {
      // Another process built the same inputs first: its output is identical.
      removeQuietly(tmp);
    }
    // Not written: the next run builds again, nothing worse.
    writeCacheFile(join(cacheDir, 'current.json'), JSON.stringify({ format: FORMAT, entry, key, inputs }));
    removeStaleBuilds(cacheDir, key);
    return join(final, 'main.mjs');
  } catch {
    removeQuietly(tmp);
    return undefined;
  }
}

/**
 * A bundled file would see the bundle's `import.meta.url`, so relative lookups of schemas and data
 * files would break: each source gets its own URL as a literal. Also records each input's stamp
 * before it is read, so an edit during the build makes the next run rebuild rather than trust it.
 */
function keepSourceLocations(inputs) {
  return {
    name: 'plumego-source-locations',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?tsx?$/ }, async ({ path }) => {
        inputs[path] = stampOf(path);
        const text = await readFile(path, 'utf8');
        const contents = text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href));
        return { contents, loader: path.endsWith('x') ? 'tsx' : 'ts' };
      });
    },
  };
}

function removeQuietly(path) {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // Nothing was written there.
  }
}

function removeStaleBuilds(cacheDir, keep) {
  for (const name of readdirSync(cacheDir)) {
    if (name === keep || name === 'current.json' || name.endsWith('.tmp')) continue;
    const path = join(cacheDir, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_BUILD_MS) removeQuietly(path);
    } catch {
      // Removed by another process meanwhile.
    }
  }
}
