import { describe, expect, it } from 'vitest';
import { findSpecifierPosition, getOccurrenceKind } from './source-positions.ts';
import type { EdgeKind } from './types.ts';

const TWICE = [
  "import type { R } from '../router/index.ts';",
  "import { router } from '../router/index.ts';",
  "export { router as r } from '../router/index.ts';",
  "export type { R as S } from '../router/index.ts';",
  "export const load = () => import('../router/index.ts');",
  "const req = require('../router/index.ts');",
].join('\n');

describe('specifier positions', () => {
  it.each<[EdgeKind, number]>([
    ['type-only', 1],
    ['import', 2],
    ['re-export', 3],
    ['type-only re-export', 4],
    ['dynamic', 5],
    ['require', 6],
  ])('a %s dependency is placed on its own statement (line %i)', (kind, line) => {
    expect(findSpecifierPosition(TWICE, '../router/index.ts', kind)).toEqual({
      line,
      column: kind === 'dynamic' ? 34 : kind === 'require' ? 21 : TWICE.split('\n')[line - 1]!.indexOf("'") + 1,
    });
  });

  it('places a multi-line type import by its statement keyword', () => {
    const text = "import {\n  a,\n} from './a.ts';\nimport type {\n  A,\n  B,\n} from './a.ts';\n";
    expect(findSpecifierPosition(text, './a.ts', 'type-only')).toEqual({ line: 7, column: 8 });
    expect(findSpecifierPosition(text, './a.ts', 'import')).toEqual({ line: 3, column: 8 });
  });

  it('reads `import type from` as a value import of a default named type', () => {
    const text = "import type from './t.ts';\n";
    expect(getOccurrenceKind(text, text.indexOf("'"))).toBe('import');
  });

  it('falls back to the first occurrence when no statement has the kind, and to 0:0 when absent', () => {
    expect(findSpecifierPosition("\nimport { a } from './a.ts';\n", './a.ts', 'dynamic')).toEqual({
      line: 2,
      column: 19,
    });
    expect(findSpecifierPosition("import { a } from './a.ts';\n", './b.ts', 'import')).toEqual({ line: 0, column: 0 });
    expect(findSpecifierPosition("import { a } from './a.ts';\n", './a.ts')).toEqual({ line: 1, column: 19 });
  });
});
