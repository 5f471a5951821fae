import { describe, expect, it } from 'vitest';
import { writeFixture } from '../control-plane/testing/fixture-repo.ts';
import { startSyntaxCheck } from './syntax-check.ts';

describe('syntax check', () => {
  it.each([[5, 'in-thread'], [240, 'on a worker thread']])('finds the broken file among %i files (%s)', async (count) => {
    const files: Record<string, string> = {};
    for (let i = 0; i < count; i += 1) files[`src/f${i}.ts`] = `export const v${i}: number = ${i};\n`;
    files['src/f3.ts'] = 'export const = = ;\n';
    const { root, cleanup } = writeFixture(files);
    try {
      const problems = await startSyntaxCheck(root, [...Object.keys(files), 'src/missing.ts'])();
      expect([...problems.keys()].sort()).toEqual(['src/f3.ts', 'src/missing.ts']);
      expect(problems.get('src/f3.ts')).toMatchObject({ line: 1, column: 14 });
      expect(problems.get('src/missing.ts')?.message).toBe('file could not be read');
    } finally {
      cleanup();
    }
  });
});
