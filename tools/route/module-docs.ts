/**
 * Each module's README as routing text: the module's own account of what it does, in the words its users
 * read ("SRV records", "resumable upload"), where the manifest has one summary line. The file-system half
 * of the README field: build-index.ts reads `plane.readmes` and never touches the disk.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Module } from '../control-plane/index.ts';
import type { RoutingPlane } from './build-index.ts';

const FENCED_CODE = /^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm;
const INLINE_CODE = /`[^`\n]*`/g;
const HTML_COMMENT = /<!--[\s\S]*?-->/g;

/**
 * README prose: code blocks, inline code and HTML comments removed. Code is identifiers and call shapes
 * (the exported names are indexed on their own); prose says what the module is for.
 */
export function getReadmeProse(markdown: string): string {
  return markdown.replace(FENCED_CODE, ' ').replace(HTML_COMMENT, ' ').replace(INLINE_CODE, ' ');
}

/** `<module folder>/README.md` of every module that has one, as prose, by module name. */
export function readModuleReadmes(
  root: string,
  modules: readonly Pick<Module, 'name' | 'path'>[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of modules) {
    let text: string;
    try {
      text = readFileSync(join(root, m.path, 'README.md'), 'utf8');
    } catch (error) {
      // A module without a README simply has no README text; any other failure is a real problem.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
        continue;
      throw error;
    }
    out[m.name] = getReadmeProse(text);
  }
  return out;
}

const withReadmes = new WeakMap<object, RoutingPlane>();

/**
 * The plane with its modules' READMEs attached, when it comes from a repository (has a `root`) and has
 * none yet. The same plane always gives the same object, so the routing index built from it is cached too.
 */
export function attachModuleReadmes<P extends RoutingPlane>(plane: P): P & Pick<RoutingPlane, 'readmes'> {
  const root = (plane as { root?: unknown }).root;
  if (plane.readmes !== undefined || typeof root !== 'string') return plane;
  let attached = withReadmes.get(plane);
  if (!attached) withReadmes.set(plane, (attached = { ...plane, readmes: readModuleReadmes(root, plane.modules) }));
  return attached as P & Pick<RoutingPlane, 'readmes'>;
}
