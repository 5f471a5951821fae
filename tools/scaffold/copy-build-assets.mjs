// Second half of `npm run build`: tsc emits JS, .d.ts and maps for framework/ and tools/, but the
// compiled tools also read files that are not TypeScript, found relative to their own module URL
// (`new URL('../../specs/schemas/', import.meta.url)`, './lexicon.yaml', './extract-worker.mjs').
// Copying them to the same relative place under dist/ keeps those lookups valid in an installed
// package without a second code path. Plain JavaScript: it runs before anything can load .ts.
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'dist');

/** Whole folders copied as they are (the scaffold templates are data, never compiled). */
const FOLDERS = ['specs/schemas', 'tools/scaffold/templates'];
/** Under tools/, non-TypeScript files the compiled code loads at run time. */
const TOOL_ASSET = /\.(mjs|d\.mts|yaml|json)$/;
/** Never shipped: tests, golden outputs, fixtures, manifests and this build's own scripts. */
const SKIP = /(^|\/)(golden|fixtures|testing|templates)(\/|$)|\.test\.|(^|\/)module\.yaml$|copy-build-assets\.mjs$/;
/**
 * TypeScript sources the compiled tools read as text: the site-data model is copied verbatim into
 * the generated site types. (The API analysis keys its cache on whatever files sit beside it, so it
 * needs no copies.)
 */
const TS_READ_AS_TEXT = ['tools/site-data/site-data-model.ts'];

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

export function listBuildAssets(root = ROOT) {
  const files = [];
  for (const path of walk(join(root, 'tools'))) {
    const rel = relative(root, path);
    if (TOOL_ASSET.test(rel) && !SKIP.test(rel)) files.push(rel);
  }
  return [...files, ...TS_READ_AS_TEXT, ...FOLDERS].sort();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!existsSync(join(OUT, 'tools/cli/main.js'))) {
    process.stderr.write(
      'copy-build-assets: dist/tools/cli/main.js is missing; run tsc -p tsconfig.build.json first\n',
    );
    process.exit(2);
  }
  let count = 0;
  for (const rel of listBuildAssets()) {
    cpSync(join(ROOT, rel), join(OUT, rel), { recursive: true });
    count += statSync(join(ROOT, rel)).isDirectory() ? [...walk(join(ROOT, rel))].length : 1;
  }
  process.stdout.write(`copy-build-assets: ${count} files copied into dist/\n`);
}
