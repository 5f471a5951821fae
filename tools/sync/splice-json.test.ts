import { describe, expect, it } from 'vitest';
import { JsonSpliceError, spliceTopLevelKey } from './splice-json.ts';

const EXPORTS = { '.': { source: './src/index.ts' } };

describe('spliceTopLevelKey', () => {
  it('replaces only the key, keeping four-space indent, key order and the other values byte for byte', () => {
    const text = '{\n    "name": "x",\n    "exports": "./old.js",\n    "scripts": { "a": "b" },\n    "z": [1,2]\n}\n';
    const out = spliceTopLevelKey(text, 'exports', EXPORTS);
    expect(out).toBe(
      '{\n    "name": "x",\n    "exports": {\n        ".": {\n            "source": "./src/index.ts"\n        }\n    },\n    "scripts": { "a": "b" },\n    "z": [1,2]\n}\n',
    );
    expect(JSON.parse(out)).toEqual({ name: 'x', exports: EXPORTS, scripts: { a: 'b' }, z: [1, 2] });
  });

  it('gives the same bytes as a full two-space rewrite when the file is already canonical', () => {
    const pkg = { name: 'x', version: '1.0.0', exports: { './a': './a.js' }, dependencies: { y: '1' } };
    const text = `${JSON.stringify(pkg, null, 2)}\n`;
    expect(spliceTopLevelKey(text, 'exports', EXPORTS)).toBe(
      `${JSON.stringify({ ...pkg, exports: EXPORTS }, null, 2)}\n`,
    );
  });

  it('adds the key before the closing brace when absent, with tabs when the file uses tabs', () => {
    expect(spliceTopLevelKey('{\n\t"name": "x"\n}\n', 'exports', { '.': './i.js' })).toBe(
      '{\n\t"name": "x",\n\t"exports": {\n\t\t".": "./i.js"\n\t}\n}\n',
    );
    expect(JSON.parse(spliceTopLevelKey('{}', 'exports', { '.': './i.js' }))).toEqual({ exports: { '.': './i.js' } });
  });

  it('is not fooled by braces, quotes and the key name inside strings or nested objects', () => {
    const text = '{ "description": "has \\"exports\\": { } inside", "nested": { "exports": 1 }, "exports": null }';
    const out = spliceTopLevelKey(text, 'exports', 2);
    expect(JSON.parse(out)).toEqual({ description: 'has "exports": { } inside', nested: { exports: 1 }, exports: 2 });
  });

  it('refuses text that is not a JSON object, with a typed error', () => {
    expect(() => spliceTopLevelKey('[1]', 'exports', 1)).toThrow(JsonSpliceError);
    expect(() => spliceTopLevelKey('{ "a": "unterminated }', 'exports', 1)).toThrow(/unterminated string/);
  });
});
