import { describe, expect, it } from 'vitest';
import { matchGlob } from './glob.ts';

describe('matchGlob (the gate-profiles dialect)', () => {
  const table: [string, string, boolean][] = [
    ['**/*.md', 'README.md', true],
    ['**/*.md', 'framework/router/README.md', true],
    ['**/*.md', 'framework/router/README.mdx', false],
    ['specs/**', 'specs/schemas/repo.schema.json', true],
    ['specs/**', 'tools/specs/x.ts', false],
    ['**/module.yaml', 'module.yaml', true],
    ['**/module.yaml', 'framework/x/ai/module.yaml', true],
    ['tsconfig*.json', 'tsconfig.build.json', true],
    ['tsconfig*.json', 'docs-site/tsconfig.json', false],
    ['docs-site/src/content/**', 'docs-site/src/content/docs/a.md', true],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['package.json', 'docs-site/package.json', false],
    ['file.(x)+', 'file.(x)+', true],
  ];
  for (const [pattern, path, expected] of table) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${path}`, () =>
      expect(matchGlob(pattern, path)).toBe(expected));
  }
});
