/**
 * Positions of import specifiers. dependency-cruiser reports no line numbers, so the gate finds
 * them itself, only in the files it (re)extracts. (Syntax errors: extract-core.mjs.)
 */
import type { EdgeKind } from './types.ts';

/**
 * 1-based position of `specifier` in `text`, or 0:0 when absent. A file may write the same
 * specifier more than once (`import type` then a value import, an import and a re-export): with
 * `kind`, the first occurrence written as that kind wins, so each dependency gets its own line.
 */
export function findSpecifierPosition(
  text: string,
  specifier: string,
  kind?: EdgeKind,
): { line: number; column: number } {
  const found = findOccurrences(text, specifier);
  if (found.length === 0) return { line: 0, column: 0 };
  const index =
    (kind &&
      (found.find((at) => getOccurrenceKind(text, at) === kind) ??
        found.find((at) => isTypeOnlyKind(getOccurrenceKind(text, at)) === isTypeOnlyKind(kind)))) ??
    found[0]!;
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}

/** Offsets of every quoted occurrence of the specifier, in text order. */
function findOccurrences(text: string, specifier: string): number[] {
  const out: number[] = [];
  for (const quote of ["'", '"', '`']) {
    const needle = `${quote}${specifier}${quote}`;
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) out.push(at);
  }
  return out.sort((a, b) => a - b);
}

const isTypeOnlyKind = (kind: EdgeKind): boolean => kind === 'type-only' || kind === 'type-only re-export';

/**
 * How the statement around the specifier at `at` is written: the nearest `import`, `export` or
 * `require` keyword before it decides (a multi-line import list holds no such keyword).
 */
export function getOccurrenceKind(text: string, at: number): EdgeKind {
  const before = text.slice(Math.max(0, at - 2000), at);
  if (/\bimport\s*\(\s*$/.test(before)) return 'dynamic';
  if (/\brequire\s*\(\s*$/.test(before)) return 'require';
  const keywords = [...before.matchAll(/\b(import|export)\b/g)];
  const last = keywords[keywords.length - 1];
  if (!last) return 'import';
  const statement = before.slice(last.index);
  // `import type X`, `import type { X }`, `export type { X }` — but not `import type from` (a default named type).
  const typeOnly = /^(import|export)\s+type\b(?!\s*(,|from\b))/.test(statement);
  if (last[1] === 'export') return typeOnly ? 'type-only re-export' : 're-export';
  return typeOnly ? 'type-only' : 'import';
}
