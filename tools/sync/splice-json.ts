/**
 * Replaces one top-level key of a JSON document in its text, leaving every other byte alone: key
 * order, indentation, line endings and the formatting of the other keys. `sync` edits package.json
 * this way, so the package-exports generator can never rewrite a repository's package.json wholesale.
 */

/** Where a top-level key's value sits in the text: [start, end) offsets, and the key's own line indent. */
interface ValueRange {
  readonly start: number;
  readonly end: number;
  readonly indent: string;
}

export class JsonSpliceError extends Error {
  readonly code = 'PLUMEGO_ERR_PACKAGE_JSON';
  override readonly name = 'JsonSpliceError';
}

/** The text with top-level `key` set to `value` (added before the closing brace when absent). */
export function spliceTopLevelKey(text: string, key: string, value: unknown): string {
  const root = skipSpace(text, 0);
  if (text[root] !== '{') throw new JsonSpliceError('package.json is not a JSON object');
  const indentUnit = detectIndent(text);
  const found = findTopLevelValue(text, root, key);
  if (found) {
    const rendered = renderValue(value, indentUnit, found.indent);
    return `${text.slice(0, found.start)}${rendered}${text.slice(found.end)}`;
  }
  const close = findValueEnd(text, root) - 1;
  const before = text.slice(0, close).replace(/\s*$/, '');
  const empty = before.endsWith('{');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const rendered = renderValue(value, indentUnit, indentUnit);
  return `${before}${empty ? '' : ','}${eol}${indentUnit}${JSON.stringify(key)}: ${rendered}${eol}${text.slice(close)}`;
}

function renderValue(value: unknown, unit: string, indent: string): string {
  const eol = '\n';
  return JSON.stringify(value, null, unit)
    .split(eol)
    .map((line, i) => (i === 0 ? line : `${indent}${line}`))
    .join(eol);
}

function detectIndent(text: string): string {
  const match = /\n([ \t]+)"/.exec(text);
  return match?.[1] ?? '  ';
}

function findTopLevelValue(text: string, open: number, key: string): ValueRange | undefined {
  let i = skipSpace(text, open + 1);
  while (i < text.length && text[i] !== '}') {
    if (text[i] !== '"') throw new JsonSpliceError(`package.json: expected a key at offset ${i}`);
    const keyEnd = findStringEnd(text, i);
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    const lineStart = text.lastIndexOf('\n', i) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart, i))?.[0] ?? '';
    i = skipSpace(text, keyEnd);
    if (text[i] !== ':') throw new JsonSpliceError(`package.json: expected ':' at offset ${i}`);
    const start = skipSpace(text, i + 1);
    const end = findValueEnd(text, start);
    if (name === key) return { start, end, indent };
    i = skipSpace(text, end);
    if (text[i] === ',') i = skipSpace(text, i + 1);
  }
  return undefined;
}

/** End offset (exclusive) of the JSON value starting at `start`. */
function findValueEnd(text: string, start: number): number {
  const c = text[start];
  if (c === '"') return findStringEnd(text, start);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let i = start; i < text.length; i += 1) {
      const ch = text[i];
      if (ch === '"') {
        i = findStringEnd(text, i) - 1;
        continue;
      }
      if (ch === '{' || ch === '[') depth += 1;
      else if (ch === '}' || ch === ']') {
        depth -= 1;
        if (depth === 0) return i + 1;
      }
    }
    throw new JsonSpliceError('package.json: unbalanced brackets');
  }
  const m = /^[^,}\]\s]+/.exec(text.slice(start));
  if (!m) throw new JsonSpliceError(`package.json: expected a value at offset ${start}`);
  return start + m[0].length;
}

function findStringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === '"') return i + 1;
  }
  throw new JsonSpliceError('package.json: unterminated string');
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i]!)) i += 1;
  return i;
}
