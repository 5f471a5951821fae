import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Document, LineCounter, Node } from 'yaml';
import { ConfigError } from './violation.ts';
import type { SourcePos } from './model.ts';

// Loaded on first parse: a run whose specs all come from the spec cache never needs the parser.
let yamlLib: typeof import('yaml') | undefined;
const getYaml = (): typeof import('yaml') =>
  (yamlLib ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

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
    throw new ConfigError(
      'PLUMEGO_ERR_YAML_SYNTAX',
      `${file}:${line}:${column}: malformed YAML: ${reason}`,
      { file, line, column },
      'Fix the YAML syntax at that position (indentation, a missing colon, an unclosed quote or bracket, a duplicate key).',
    );
  }
  const data = toData(file, doc, lines);
  return {
    file,
    data,
    locate(path = [], opts = {}) {
      return { file, ...positionOf(doc, lines, path, opts.key ?? false) };
    },
  };
}

/** Most alias expansions one document may make: a "billion laughs" document is refused, not expanded. */
export const MAX_ALIAS_COUNT = 100;

/**
 * The document's data. Aliases are resolved only here (the parser accepts `*name` without its anchor,
 * and an alias bomb is legal syntax), so their failures become located configuration errors too.
 */
function toData(file: string, doc: Document.Parsed, lines: LineCounter): unknown {
  try {
    const data: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    // An alias inside its own anchor (`&x [*x]`) builds a value that contains itself.
    const alias = findAlias(doc, undefined);
    if (alias && isCircular(data)) {
      const { line, col: column } = lines.linePos(alias.range?.[0] ?? 0);
      throw new ConfigError(
        'PLUMEGO_ERR_YAML_ALIAS',
        `${file}:${line}:${column}: malformed YAML: an alias refers to the value that contains it (a circular value)`,
        { file, line, column },
        'Write the value out; an anchor cannot contain its own alias.',
      );
    }
    return data;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = (error as Error).message;
    const unresolved = /^Unresolved alias[^:]*: (.*)$/.exec(reason)?.[1];
    const alias = findAlias(doc, unresolved);
    const { line, col: column } = lines.linePos(alias?.range?.[0] ?? 0);
    if (unresolved !== undefined) {
      throw new ConfigError(
        'PLUMEGO_ERR_YAML_ALIAS',
        `${file}:${line}:${column}: malformed YAML: alias *${unresolved} names no anchor defined before it`,
        { file, line, column },
        `Define the anchor (&${unresolved}) before the alias, or write the value out.`,
      );
    }
    if (/alias count|resource exhaustion/i.test(reason)) {
      throw new ConfigError(
        'PLUMEGO_ERR_YAML_ALIAS',
        `${file}:${line}:${column}: malformed YAML: aliases expand to more than ${MAX_ALIAS_COUNT} nodes (an alias bomb is refused)`,
        { file, line, column },
        'Write the values out instead of nesting aliases of aliases.',
      );
    }
    throw new ConfigError(
      'PLUMEGO_ERR_YAML_SYNTAX',
      `${file}:${line}:${column}: malformed YAML: ${reason.split('\n')[0] ?? reason}`,
      { file, line, column },
      'Fix the YAML at that position.',
    );
  }
}

function isCircular(value: unknown, path = new Set<unknown>()): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (path.has(value)) return true;
  path.add(value);
  const children =
    value instanceof Map ? [...value.values()] : value instanceof Set ? [...value] : Object.values(value);
  const found = children.some((child) => isCircular(child, path));
  path.delete(value);
  return found;
}

/** The alias node named `name` (or the first alias when no name is given). */
function findAlias(doc: Document.Parsed, name: string | undefined): Node | undefined {
  const { visit } = getYaml();
  let found: Node | undefined;
  visit(doc, {
    Alias(_, node) {
      if (name === undefined || node.source === name) {
        found = node;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * A file whose data came from the spec cache (it parsed cleanly when cached): positions are
 * computed from the text only when someone asks for one.
 */
export function cachedYaml(file: string, text: string, data: unknown): YamlFile {
  let parsed: { doc: Document.Parsed; lines: LineCounter } | undefined;
  return {
    file,
    data,
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
    throw new ConfigError(
      'PLUMEGO_ERR_SPEC_UNREADABLE',
      `${file}: cannot read: ${reason}`,
      { file },
      'Restore the file from version control or create it from the schema in specs/schemas/.',
    );
  }
}

function positionOf(
  doc: Document.Parsed,
  lines: LineCounter,
  path: readonly (string | number)[],
  wantKey: boolean,
): { line: number; column: number } {
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
