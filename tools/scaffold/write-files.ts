import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ScaffoldError } from './errors.ts';
import type { RenderedFile } from './render-template.ts';

/**
 * Writes every file or none: all targets are checked before the first write, so a refusal never
 * leaves a half-generated tree. `wx` still refuses a file created between the check and the write.
 */
export function writeNewFiles(root: string, files: readonly RenderedFile[]): string[] {
  const existing = files.filter((f) => existsSync(join(root, f.path))).map((f) => f.path);
  if (existing.length > 0) {
    throw new ScaffoldError('PLUMEGO_SCAFFOLD_EXISTS', `refusing to overwrite ${existing.join(', ')} in ${root}`);
  }
  for (const file of files) {
    const path = join(root, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content, { flag: 'wx' });
  }
  return files.map((f) => f.path);
}
