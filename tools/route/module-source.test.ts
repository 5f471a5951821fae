import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getCodeField, getRoutingIndex, type RoutingPlane, type SourceIndex } from './build-index.ts';
import { readDefaultLexicon, readDefaultLexiconSource } from './default-lexicon.ts';
import {
  attachModuleSources,
  getFileStamps,
  getSourceWords,
  listModuleFiles,
  readModuleSources,
  ROUTE_SOURCE_CACHE,
  toSourceIndex,
} from './module-source.ts';
import { routeWork, type RouteAnswer, type RouteResult } from './route-work.ts';
import { createFixtureModule, createFixturePlane, FIXTURE_MODULES } from './testing/fixture-plane.ts';
import { collectTerms, createLexicon, getTerms } from './tokenise.ts';

// The code field of the fourth routing round (#22): each module's code files as BM25-weighted terms.

const lexicon = readDefaultLexicon();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A repository with the fixture modules' folders and the given files (path → text). */
function makeRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'route-source-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const answer = (result: RouteResult): RouteAnswer => {
  if (result.kind !== 'answer') throw new Error(`expected an answer, got ${result.kind}`);
  return result;
};

describe('code files as words', () => {
  it('splits identifiers at case changes and underscores, and reads the file name first', () => {
    const words = getSourceWords(
      'framework/router/reverse-url.ts',
      'const bodyLimitBytes = BODY_TOO_LARGE; parseHTTPDate()',
    );
    expect(words.startsWith('reverse url. ')).toBe(true);
    expect(words).toContain('body Limit Bytes');
    expect(words).toContain('BODY TOO LARGE');
    expect(words).toContain('parse HTTP Date');
  });

  it('collectTerms yields exactly the terms getTerms does, synonyms and stop words included', () => {
    for (const text of [
      'the rate limit of a circuit breaker',
      'log in and fall back',
      '',
      'a b c 1 22',
      'Retries, retrying',
    ]) {
      const set = new Set<string>();
      collectTerms(text, lexicon, set);
      expect([...set].sort()).toEqual([...new Set(getTerms(text, lexicon))].sort());
    }
  });
});

describe('which module a code file belongs to', () => {
  const repo = makeRepo({
    'framework/router/trie.ts': 'export const matchSegment = 1;',
    'framework/router/trie.test.ts': "it('matches a catch-all segment', () => {});",
    'framework/router/types.d.ts': 'export type Ignored = 1;',
    'framework/router/notes.md': 'prose is not code',
    'framework/router/node_modules/dep/index.js': 'ignored',
    'framework/router/.hidden/x.ts': 'ignored',
    'framework/x/gateway/proxy.ts': 'proxy',
    'framework/x/gateway/discovery/srv.ts': 'srv records',
    'framework/index.ts': 'export {}',
    'tools/route/ranking.test.ts': 'descriptions of other modules',
    'tools/route/testing/fixture.ts': 'fake manifests',
    'tools/route/score.ts': 'bm25',
  });

  it('counts each file for the innermost module folder, sorted, skipping declarations, non-code and hidden or vendored folders', () => {
    const files = listModuleFiles(repo, [
      ...FIXTURE_MODULES,
      { name: 'tools/route', path: 'tools/route' },
      { name: 'x/missing', path: 'framework/x/missing' },
    ]);
    expect(files).toEqual({
      plumego: ['framework/index.ts'],
      router: ['framework/router/trie.test.ts', 'framework/router/trie.ts'],
      'x/gateway': ['framework/x/gateway/proxy.ts'],
      'x/gateway/discovery': ['framework/x/gateway/discovery/srv.ts'],
      'tools/route': ['tools/route/score.ts'],
    });
  });

  it("leaves out the router's own tests and fixtures: they are other modules' work descriptions", () => {
    const files = listModuleFiles(repo, [{ name: 'tools/route', path: 'tools/route' }]);
    expect(files['tools/route']).toEqual(['tools/route/score.ts']);
  });

  it('a module at the repository root owns no file, and a repository without the folders yields nothing', () => {
    expect(listModuleFiles(repo, [{ name: 'root', path: '.' }])).toEqual({});
    expect(listModuleFiles(makeRepo({}), FIXTURE_MODULES)).toEqual({});
  });
});

describe('the source index and its cache', () => {
  const files = {
    'framework/router/trie.ts': 'export function matchCatchAll(segment: string) { return segment; }',
    'framework/router/trie.test.ts': "it('captures the remaining path in a catch-all', () => {});",
    'framework/x/gateway/proxy.ts': 'export const forwardRequest = () => upstream;',
  };

  it('counts, per module, the files that use each term, in a stable inverted form', () => {
    const index = readModuleSources(makeRepo(files), FIXTURE_MODULES, lexicon, { cacheFile: false });
    expect(index.modules).toEqual(['router', 'x/gateway']);
    expect(index.files).toEqual([2, 1]);
    // "segment" is in one router file, the catch-all synonym in both.
    const fallback = getTerms('catch-all', lexicon)[0]!;
    expect(index.terms[fallback]).toEqual([0, 2]);
    expect(index.terms[getTerms('segment', lexicon)[0]!]).toEqual([0, 1]);
    expect(index.terms[getTerms('upstream', lexicon)[0]!]).toEqual([1, 1]);
    expect(Object.keys(index.terms)).toEqual([...Object.keys(index.terms)].sort());
  });

  it('gives the same index from the files, from a fresh cache and from a warm one', () => {
    const repo = makeRepo(files);
    const cacheFile = join(repo, ROUTE_SOURCE_CACHE.path);
    const uncached = readModuleSources(repo, FIXTURE_MODULES, lexicon, { cacheFile: false });
    expect(existsSync(cacheFile)).toBe(false);
    expect(readModuleSources(repo, FIXTURE_MODULES, lexicon)).toEqual(uncached);
    expect(existsSync(cacheFile)).toBe(true);
    expect(readModuleSources(repo, FIXTURE_MODULES, lexicon)).toEqual(uncached);
  });

  it('re-reads a module whose file changed and keeps the others from the cache', () => {
    const repo = makeRepo(files);
    const cacheFile = join(repo, ROUTE_SOURCE_CACHE.path);
    readModuleSources(repo, FIXTURE_MODULES, lexicon);
    // A cached module is taken from the cache, not re-read: a planted word there proves it.
    const data = JSON.parse(readFileSync(cacheFile, 'utf8')) as { index: SourceIndex };
    writeFileSync(
      cacheFile,
      JSON.stringify({ ...data, index: { ...data.index, terms: { ...data.index.terms, zebra: [1, 1] } } }),
    );
    const proxy = join(repo, 'framework/router/trie.ts');
    writeFileSync(proxy, 'export const reverseNamedRoute = 1;');
    utimesSync(proxy, new Date(), new Date(Date.now() + 5000));
    const index = readModuleSources(repo, FIXTURE_MODULES, lexicon);
    expect(index.terms['zebra']).toEqual([1, 1]);
    expect(index.terms[getTerms('reverse', lexicon)[0]!]).toEqual([0, 1]);
    expect(index.terms[getTerms('segment', lexicon)[0]!]).toBeUndefined();
    const { zebra: _planted, ...read } = index.terms;
    expect({ ...index, terms: read }).toEqual(readModuleSources(repo, FIXTURE_MODULES, lexicon, { cacheFile: false }));
  });

  it('stamps a file by path, size and time, and leaves out one removed since the listing', () => {
    const repo = makeRepo(files);
    const stamps = getFileStamps(repo, ['framework/router/trie.ts', 'framework/router/gone.ts']);
    expect(stamps.map((s) => s.file)).toEqual(['framework/router/trie.ts']);
    expect(stamps[0]!.stamp.split('\0').slice(0, 2)).toEqual([
      'framework/router/trie.ts',
      String(files['framework/router/trie.ts'].length),
    ]);
  });

  it('reads everything again when the cache is corrupt or was built with another lexicon', () => {
    const repo = makeRepo(files);
    const cacheFile = join(repo, ROUTE_SOURCE_CACHE.path);
    const uncached = readModuleSources(repo, FIXTURE_MODULES, lexicon, { cacheFile: false });
    mkdirSync(dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, '{ not json');
    expect(readModuleSources(repo, FIXTURE_MODULES, lexicon)).toEqual(uncached);
    const other = createLexicon({
      ...readDefaultLexiconSource(),
      stopwords: [...readDefaultLexiconSource().stopwords, 'segment'],
    });
    const withOther = readModuleSources(repo, FIXTURE_MODULES, other);
    expect(withOther.terms[getTerms('segment', lexicon)[0]!]).toBeUndefined();
    expect(readModuleSources(repo, FIXTURE_MODULES, lexicon)).toEqual(uncached);
  });

  it('attaches code only to a plane loaded from a repository, once per plane and lexicon', () => {
    const fixture = createFixturePlane();
    expect(attachModuleSources(fixture, lexicon)).toBe(fixture);
    const fromRepo = { ...createFixturePlane(), root: makeRepo(files) };
    const attached = attachModuleSources(fromRepo, lexicon);
    expect(attached.sources?.modules).toEqual(['router', 'x/gateway']);
    expect(attachModuleSources(fromRepo, lexicon)).toBe(attached);
  });
});

describe('the code field in the ranking', () => {
  const index = (terms: Record<string, number[]>, files = [3, 2]): SourceIndex => ({
    modules: ['router', 'x/frontend'],
    files,
    terms,
  });

  it('rejects a malformed source index instead of routing on part of it', () => {
    const names = new Set(['router', 'x/frontend']);
    expect(() => getCodeField({ modules: ['router'], files: [], terms: {} }, names)).toThrow(/same length/);
    expect(() => getCodeField(index({ wildcard: [0] }), names)).toThrow(/pairs/);
    expect(() => getCodeField(index({ wildcard: [0, 4] }), names)).toThrow(/bad pair/);
    expect(() => getCodeField(index({ wildcard: [2, 1] }), names)).toThrow(/bad pair/);
    expect(() => getCodeField(index({ wildcard: [0, 0] }), names)).toThrow(/bad pair/);
    expect(() => getCodeField({ modules: ['router'], files: [-1], terms: {} }, names)).toThrow(/bad module/);
    expect(getCodeField(undefined, names)).toBeUndefined();
  });

  it('leaves out modules the plane does not have, and rates a word every module uses at nothing', () => {
    const field = getCodeField(index({ wildcard: [0, 2], constructor: [0, 1, 1, 1] }), new Set(['router']))!;
    expect([...field.files]).toEqual([['router', 3]]);
    expect([...field.counts('wildcard')]).toEqual([['router', 2]]);
    expect(field.counts('missing').size).toBe(0);
    expect(field.idf('constructor')).toBeGreaterThan(0);
    const both = getCodeField(index({ everywhere: [0, 1, 1, 1] }), new Set(['router', 'x/frontend']))!;
    expect(both.idf('everywhere')).toBeCloseTo(Math.log(3 / 2.5));
  });

  it("closes a vocabulary gap: a word only one module's code has decides between modules the specs cannot tell apart", () => {
    // Two modules with the same spec text: the specs tie (broken by name), the code of x/beta decides.
    const twin = (name: string) =>
      createFixtureModule({
        name,
        path: `framework/${name}`,
        layer: 'extension',
        summary: 'Serves files to clients.',
        responsibilities: ['Serving files'],
        non_goals: ['Business logic'],
      });
    const modules = [...FIXTURE_MODULES, twin('x/alpha'), twin('x/beta')];
    const term = getTerms('wildcard', lexicon)[0]!;
    const sources: SourceIndex = { modules: ['x/alpha', 'x/beta'], files: [2, 2], terms: { [term]: [1, 2] } };
    const ask = 'serve files matched by a wildcard';
    const withCode = answer(routeWork({ ...createFixturePlane({ modules }), sources }, ask));
    expect(withCode.module.name).toBe('x/beta');
    expect(withCode.words).toContainEqual({ word: 'wildcard', field: 'code', text: '2 of 2 code files' });
    expect(
      answer(routeWork({ ...createFixturePlane({ modules }), sources }, ask, { sourceWeight: 0 })).module.name,
    ).toBe('x/alpha');
    expect(answer(routeWork(createFixturePlane({ modules }), ask)).module.name).toBe('x/alpha');
  });

  it('a task-card description still lands on the task area when a module has code for its words', () => {
    const ask = 'write a card for the next milestone with its acceptance criteria';
    const terms = Object.fromEntries(getTerms(ask, lexicon).map((t) => [t, [0, 3]]));
    const plane: RoutingPlane = { ...createFixturePlane(), sources: index(terms) };
    // The rule is weighed against the winner's spec evidence only, however much its code adds.
    for (const sourceWeight of [0.5, 50]) {
      const r = routeWork(plane, ask, { sourceWeight });
      expect(r.kind === 'area' && r.rule.paths).toEqual(['tasks']);
    }
  });

  it("goes narrower on the subordinate's spec evidence against the root's spec score, whatever the root's code adds", () => {
    // The root wins this on its spec texts and discovery's own "when" earns over half of that.
    const ask = 'proxy upstream requests and discover instances';
    const terms = Object.fromEntries(getTerms(ask, lexicon).map((t) => [t, [0, 4]]));
    const plane: RoutingPlane = {
      ...createFixturePlane(),
      sources: { modules: ['x/gateway', 'x/gateway/discovery'], files: [4, 1], terms },
    };
    for (const sourceWeight of [0, 0.5, 50]) {
      const r = answer(routeWork(plane, ask, { sourceWeight, narrowerCoverage: 0, namedNarrowing: 0 }));
      expect({ sourceWeight, module: r.module.name, from: r.narrowing?.from }).toEqual({
        sourceWeight,
        module: 'x/gateway/discovery',
        from: 'x/gateway',
      });
    }
  });

  it('refuses a negative code weight', () => {
    expect(() => routeWork(createFixturePlane(), 'route', { sourceWeight: -1 })).toThrow(RangeError);
  });

  it('the index is built once per plane with its code field', () => {
    const plane: RoutingPlane = { ...createFixturePlane(), sources: index({}) };
    expect(getRoutingIndex(plane, lexicon)).toBe(getRoutingIndex(plane, lexicon));
    expect(getRoutingIndex(plane, lexicon).code?.avgFiles).toBe(2.5);
    expect(getRoutingIndex(createFixturePlane(), lexicon).code).toBeUndefined();
  });

  it('toSourceIndex is independent of the order modules are given in', () => {
    const a = { files: 1, terms: { b: 1, a: 1 } };
    const b = { files: 2, terms: { a: 2 } };
    expect(toSourceIndex({ 'x/b': b, 'x/a': a })).toEqual(toSourceIndex({ 'x/a': a, 'x/b': b }));
    expect(toSourceIndex({ 'x/b': b, 'x/a': a })).toEqual({
      modules: ['x/a', 'x/b'],
      files: [1, 2],
      terms: { a: [0, 1, 1, 2], b: [0, 1] },
    });
  });
});
