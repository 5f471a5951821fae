import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScaffoldError } from './errors.ts';

/** A file to write, relative to the target directory. */
export interface RenderedFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Templates are stored as `*.tpl` so that neither tsc, vitest nor the boundary gate of this
 * repository reads them as its own code; `dot-` names become dotfiles because npm drops
 * `.gitignore` from a packed tarball.
 */
export const TEMPLATE_ROOT = fileURLToPath(new URL('./templates/', import.meta.url));

export function getOutputPath(templatePath: string): string {
  const parts = templatePath.replace(/\.tpl$/, '').split('/');
  const base = parts.pop()!;
  return [...parts, base.startsWith('dot-') ? `.${base.slice(4)}` : base].join('/');
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.name.endsWith('.tpl')) yield path;
  }
}

/** Raw template files of the given layers; a later layer's file replaces an earlier one's. */
export function readTemplateLayers(layers: readonly string[], root: string = TEMPLATE_ROOT): Map<string, string> {
  const files = new Map<string, string>();
  for (const layer of layers) {
    const dir = join(root, layer);
    for (const path of walk(dir))
      files.set(getOutputPath(relative(dir, path).split(sep).join('/')), readFileSync(path, 'utf8'));
  }
  return files;
}

const VARIABLE = /\{\{([a-zA-Z]+(?::[@a-z0-9/._-]+)?)\}\}/g;

/**
 * Fills `{{name}}`-style variables. An unknown variable is an error rather than an empty string:
 * a half-rendered project would fail later in a place that no longer names the template.
 */
export function renderText(text: string, vars: Readonly<Record<string, string>>, where: string): string {
  return text.replace(VARIABLE, (_, key: string) => {
    const value = vars[key];
    if (value === undefined)
      throw new ScaffoldError(
        'PLUMEGO_SCAFFOLD_UNKNOWN_VARIABLE',
        `${where}: template variable {{${key}}} has no value`,
      );
    return value;
  });
}

export function renderFiles(raw: ReadonlyMap<string, string>, vars: Readonly<Record<string, string>>): RenderedFile[] {
  return [...raw]
    .map(([path, text]) => ({ path, content: renderText(text, vars, path) }))
    .sort((a, b) => a.path.localeCompare(b.path));
}
