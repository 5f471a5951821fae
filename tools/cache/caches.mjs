// Plain JavaScript: the CLI launcher and the extraction worker use it before any TypeScript loads.
import { createHash } from 'node:crypto';

/** Where every cache lives, relative to the package root (tool caches) or the checked repository. */
export const CACHE_DIR = 'node_modules/.cache/plumego';

/**
 * Every cache the tools keep, with the reason it exists. One invalidation scheme for all: a cache
 * stores the key `cacheKey(cache, inputs)` beside its content — the cache's name and format
 * first, then everything the content depends on (tool sources, package versions, configuration
 * files, input contents) — and content stored under another key is never used. Bump `format` when
 * the stored shape or the meaning of the content changes. Every file is written whole
 * (writeCacheFile: write, then rename), so a concurrent reader never sees half of one.
 */
export const CACHES = {
  cli: {
    name: 'cli',
    path: `${CACHE_DIR}/cli`,
    format: 2,
    why: 'The CLI bundled by esbuild: a run pays no TypeScript loader hooks and needs no build step (tools/cli/launcher.mjs).',
  },
  specs: {
    name: 'specs',
    path: `${CACHE_DIR}/specs.json`,
    format: 1,
    why: 'Parsed, schema-valid specs and manifests by content hash: parsing with positions and compiling the schemas cost over half a second per command.',
  },
  graph: {
    name: 'graph',
    path: `${CACHE_DIR}/boundaries-graph.json`,
    format: 7,
    why: "The import graph file by file, by content hash: dependency-cruiser's own cache is all-or-nothing, so a one-file edit would cost a whole cruise.",
  },
  v8: {
    name: 'v8',
    path: `${CACHE_DIR}/v8`,
    format: 1,
    why: "V8's code cache of TypeScript's 9 MB compiler: compiling it is a third of what a one-file check waits for (tools/boundaries/extract-core.mjs).",
  },
  api: {
    name: 'api',
    path: `${CACHE_DIR}/api-analysis.json`,
    format: 2,
    why: 'The whole API analysis, keyed by every library source: an unchanged tree never loads ts-morph (about a second of a warm check).',
  },
};

/** Content hash of one input (a file's text or bytes). */
export function hashText(text) {
  return createHash('sha1').update(text).digest('base64url');
}

/** The key a cache's content is stored under: its name and format, then each input in order. */
export function cacheKey(cache, inputs) {
  const hash = createHash('sha1').update(`${cache.name}\n${cache.format}\n`);
  for (const input of inputs) hash.update(typeof input === 'string' ? `${input}\n` : input).update('\0');
  return hash.digest('base64url');
}
