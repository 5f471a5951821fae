import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ERROR_TYPES, PARSE_ERROR_CODES, isErrorType } from './error-types.ts';

// The registry (specs/error-codes.yaml), the code (the canonical table and every APIError built in
// framework sources) and the docs (this module's README) must list the same codes.

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

interface Entry {
  code: string;
  status: number;
  category: string;
  type?: string;
  module: string;
  description: string;
}

const registry = (parse(readFileSync(join(root, 'specs/error-codes.yaml'), 'utf8')) as { codes: Entry[] }).codes;

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listSources(p));
    else if (name.endsWith('.ts') && !/\.(test|spec)\.ts$/.test(name)) out.push(p);
  }
  return out;
}

/** Module name → directory: library modules live under framework/, others at the repository root. */
function moduleDir(module: string): string {
  return module.startsWith('reference/') || module.startsWith('tools')
    ? join(root, module)
    : join(root, 'framework', module);
}

/** Codes of contract's own Error subclasses (`readonly code = '…'`): thrown to callers, never sent on the wire. */
const contractClassCodes = new Set(
  listSources(here).flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(/readonly code = '([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]!),
  ),
);
/** Contract's registry entries that are wire codes: the canonical table and the parse codes. */
const contractWireEntries = registry.filter((e) => e.module === 'contract' && !contractClassCodes.has(e.code));

describe('error code registry', () => {
  it('has unique codes', () => {
    const codes = registry.map((e) => e.code);
    expect(codes.filter((c, i) => codes.indexOf(c) !== i)).toEqual([]);
  });

  it('keeps every typed code in its canonical type’s status and category', () => {
    for (const e of registry) {
      if (e.type === undefined) continue;
      expect(isErrorType(e.type), `${e.code}: unknown type ${e.type}`).toBe(true);
      const meta = ERROR_TYPES[e.type as keyof typeof ERROR_TYPES];
      expect({ code: e.code, status: e.status, category: e.category }).toEqual({
        code: e.code,
        status: meta.status,
        category: meta.category,
      });
    }
  });

  it('lists exactly the contract table as contract’s codes', () => {
    const fromCode = [
      ...Object.entries(ERROR_TYPES).map(([type, m]) => ({
        code: m.code,
        status: m.status,
        category: m.category,
        type,
      })),
      ...Object.values(PARSE_ERROR_CODES).map((m) => ({ code: m.code, status: m.status, category: m.category })),
    ];
    const fromRegistry = contractWireEntries.map(({ code, status, category, type }) => ({
      code,
      status,
      category,
      ...(type && !(code in PARSE_ERROR_CODES) ? { type } : {}),
    }));
    const key = (x: { code: string }) => x.code;
    expect([...fromRegistry].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      [...fromCode].sort((a, b) => key(a).localeCompare(key(b))),
    );
  });

  it('matches the contract README table row for row', () => {
    const readme = readFileSync(join(here, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| ([A-Z][A-Z0-9_]*) \| (\d{3}) \| ([a-z_]+) \|/gm)].map(
      (m) => `${m[1]} ${m[2]} ${m[3]}`,
    );
    const expected = contractWireEntries.map((e) => `${e.code} ${e.status} ${e.category}`);
    expect(rows.sort()).toEqual(expected.sort());
  });

  it('registers every contract class code', () => {
    const registered = new Set(registry.filter((e) => e.module === 'contract').map((e) => e.code));
    expect([...contractClassCodes].filter((c) => !registered.has(c))).toEqual([]);
    expect(contractClassCodes.size).toBeGreaterThan(0);
  });

  it('finds every non-contract code in its owning module’s sources', () => {
    const missing: string[] = [];
    const cache = new Map<string, string>();
    for (const e of registry) {
      if (e.module === 'contract') continue;
      let text = cache.get(e.module);
      if (text === undefined) {
        let files: string[] = [];
        try {
          files = listSources(moduleDir(e.module));
        } catch {
          files = [];
        }
        text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
        cache.set(e.module, text);
      }
      if (!text.includes(`'${e.code}'`) && !text.includes(`"${e.code}"`)) missing.push(`${e.code} (${e.module})`);
    }
    expect(missing).toEqual([]);
  });

  it('registers every code an APIError is built with in framework sources', () => {
    const registered = new Set(registry.map((e) => e.code));
    const unregistered: string[] = [];
    for (const file of listSources(join(root, 'framework'))) {
      // Comments (JSDoc examples) are not code.
      const text = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
      const found = [
        ...text.matchAll(/(?:new APIError|createAPIError)\(\{[^}]*?\bcode:\s*'([^']+)'/gs),
        ...text.matchAll(/\.code\('([^']+)'\)/g),
      ].map((m) => m[1]!);
      for (const code of found)
        if (!registered.has(code)) unregistered.push(`${code} in ${file.slice(root.length + 1)}`);
    }
    expect(unregistered).toEqual([]);
  });
});
