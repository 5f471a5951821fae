/**
 * Positions of import specifiers. dependency-cruiser reports no line numbers, so the gate finds
 * them itself, only in the files it (re)extracts. (Syntax errors: extract-core.mjs.)
 */

/** 1-based position of the first quoted occurrence of `specifier` in `text`, or 0:0 when absent. */
export function findSpecifierPosition(text: string, specifier: string): { line: number; column: number } {
  let index = -1;
  for (const quote of ["'", '"', '`']) {
    const at = text.indexOf(`${quote}${specifier}${quote}`);
    if (at >= 0 && (index < 0 || at < index)) index = at;
  }
  if (index < 0) return { line: 0, column: 0 };
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}
