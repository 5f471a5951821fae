/**
 * Positions and parse problems of a source file. dependency-cruiser reports neither line numbers nor
 * syntax errors (TypeScript's parser is lenient and silently drops what it cannot read), so the gate
 * reads them itself, only for the files it (re)extracts.
 */
import type * as TS from 'typescript';

export interface ParseProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

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

/** The first syntax error TypeScript finds in `text`, if any. */
export function getParseProblem(ts: typeof import('typescript'), file: string, text: string): ParseProblem | undefined {
  // JSDoc is not syntax: skipping it makes this second parse about twice as fast.
  const source = ts.createSourceFile(file, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, getScriptKind(ts, file));
  // parseDiagnostics is internal but stable since TS 2; it is the only way to get syntax errors without a Program.
  const diagnostics = (source as unknown as { parseDiagnostics?: readonly TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  const first = diagnostics[0];
  if (!first) return undefined;
  const { line, character } = source.getLineAndCharacterOfPosition(first.start);
  return { line: line + 1, column: character + 1, message: ts.flattenDiagnosticMessageText(first.messageText, ' ') };
}

function getScriptKind(ts: typeof import('typescript'), file: string): TS.ScriptKind {
  return file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
}
