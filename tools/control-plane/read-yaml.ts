import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Document, LineCounter, Node } from 'yaml';
import { ConfigError } from './violation.ts';
import type { SourcePos } from './model.ts';

// Loaded on first parse: a run whose specs all come from the spec cache never needs the parser.
let yamlLib: typeof import('yaml') | undefined;
const getYaml = (): typeof import('yaml') => (yamlLib ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

/** A parsed YAML file that can still answer "where is this value?". */
export interface YamlFile {
  readonly file: string;
  readonly data: unknown;
  locate(path?: readonly (string | number)[], opts?: { key?: boolean }): SourcePos;
}

/** Parses YAML text; a syntax error becomes a ConfigError at the error's line and column. */
export function parseYaml(file: string, text: string): YamlFile {
  const { doc, lines } = parseWithPositions(text);
  const first = doc.errors[0];
  if (first) {
    const { line, col: column } = first.linePos?.[0] ?? lines.linePos(first.pos[0]);
    const reason = first.message.split('\n')[0] ?? first.message;
    throw new ConfigError('PLUMEGO_ERR_YAML_SYNTAX', `${file}:${line}:${column}: malformed YAML: ${reason}`, { file, line, column },
      'Fix the YAML syntax at that position (indentation, a missing colon, an unclosed quote or bracket, a duplicate key).');
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  return {
    file, data,
    locate(path = [], opts = {}) {
      return { file, ...positionOf(doc, lines, path, opts.key ?? false) };
    },
  };
}

/**
 * A file whose data came from the spec cache (it parsed cleanly when cached): positions are
 * computed from the text only when someone asks for one.
 */
export function cachedYaml(file: string, text: string, data: unknown): YamlFile {
  let parsed: { doc: Document.Parsed; lines: LineCounter } | undefined;
  return {
    file, data,
    locate(path = [], opts = {}) {
      parsed ??= parseWithPositions(text);
      return { file, ...positionOf(parsed.doc, parsed.lines, path, opts.key ?? false) };
    },
  };
}

function parseWithPositions(text: string): { doc: Document.Parsed; lines: LineCounter } {
  const { LineCounter, parseDocument } = getYaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  return { doc, lines };
}

/** Reads and parses a repository file; unreadable files are ConfigErrors, never stack traces. */
export async function readYaml(root: string, file: string): Promise<YamlFile> {
  return parseYaml(file, await readSpecText(root, file));
}

/** The text of a repository file; an unreadable file is a ConfigError. */
export async function readSpecText(root: string, file: string): Promise<string> {
  try {
    return await readFile(`${root}/${file}`, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError('PLUMEGO_ERR_SPEC_UNREADABLE', `${file}: cannot read: ${reason}`, { file },
      'Restore the file from version control or create it from the schema in specs/schemas/.');
  }
}

function positionOf(doc: Document.Parsed, lines: LineCounter, path: readonly (string | number)[], wantKey: boolean): { line: number; column: number } {
  const { isMap, isPair, isScalar, isSeq } = getYaml();
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
