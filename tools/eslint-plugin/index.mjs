// The entry adopters import (`plumego/eslint-plugin`): plain JavaScript, because ESLint loads its
// config without a TypeScript loader. An installed package runs the compiled plugin from dist/;
// a checkout bundles the TypeScript on first use, as the CLI does (tools/cli/launcher.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const source = fileURLToPath(new URL('./plugin.ts', import.meta.url));
const built = fileURLToPath(new URL('../../dist/tools/eslint-plugin/plugin.js', import.meta.url));

async function loadPlugin() {
  if (!existsSync(source) && existsSync(built)) return import(pathToFileURL(built).href);
  const { loadCli } = await import('../cli/launcher.mjs');
  const cacheDir =
    process.env.PLUMEGO_ESLINT_CACHE ||
    fileURLToPath(new URL('../../node_modules/.cache/plumego/eslint-plugin', import.meta.url));
  return loadCli({ entry: source, cacheDir });
}

const loaded = await loadPlugin();

/** The plugin: `rules.boundaries` and `configs.recommended`. */
export default loaded.default;
/** Loads the control plane of another repository linted in the same process. */
export const load = loaded.load;
