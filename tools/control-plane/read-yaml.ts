import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError } from './violation.ts';
import type { SourcePos } from './model.ts';

/** A parsed YAML file that can still answer "where is this value?". */
export interface YamlFile {
  readonly file: string;
  readonly data: unknown;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  locate(path?: readonly (string | number)[], opts?: { key?: boolean }): SourcePos;
}

/** Parses YAML text; a syntax error becomes a ConfigError at the error's line and column. */
export function parseYaml(file: string, text: string): YamlFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const { line, col: column } = first.linePos?.[0] ?? lines.linePos(first.pos[0]);
    const reason = first.message.split('\n')[0] ?? first.message;
    throw new ConfigError('PLUMEGO_ERR_YAML_SYNTAX', `${file}:${line}:${column}: malformed YAML: ${reason}`, { file, line, column },
      'Fix the YAML syntax at that position (indentation, a missing colon, an unclosed quote or bracket, a duplicate key).');
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  return {
    file, data, doc, lines,
    locate(path = [], opts = {}) {
      return { file, ...positionOf(doc, lines, path, opts.key ?? false) };
    },
  };
}

/** Reads and parses a repository file; unreadable files are ConfigErrors, never stack traces. */
export async function readYaml(root: string, file: string): Promise<YamlFile> {
  let text: string;
  try {
    text = await readFile(`${root}/${file}`, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError('PLUMEGO_ERR_SPEC_UNREADABLE', `${file}: cannot read: ${reason}`, { file },
      'Restore the file from version control or create it from the schema in specs/schemas/.');
  }
  return parseYaml(file, text);
}

function positionOf(doc: Document.Parsed, lines: LineCounter, path: readonly (string | number)[], wantKey: boolean): { line: number; column: number } {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  let best: unknown = node;
  for (const segment of path) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      break;
    }
    if (node) best = node;
    else if (keyNode) best = keyNode;
  }
  const target = (wantKey && keyNode ? keyNode : best) as Node | undefined;
  const offset = target?.range?.[0] ?? 0;
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}
