import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ErrorCodeEntry, Module } from '../control-plane/index.ts';
import { getRoutingIndex, splitIdentifier, type RoutingPlane } from './build-index.ts';
import { readDefaultLexicon } from './default-lexicon.ts';
import { attachModuleReadmes, getReadmeProse, readModuleReadmes } from './module-docs.ts';
import { routeWork, type RouteAnswer, type RouteResult } from './route-work.ts';
import { createFixtureModule, createFixturePlane, FIXTURE_MODULES } from './testing/fixture-plane.ts';

// The spec facts of the third routing round (#22): exported names, registered error codes and README prose
// as low-weight fields counted apart from the manifest prose, and area names mentioned by a module.
// Each rule on a plane built to show it, with a case where it must not decide.

const answer = (result: RouteResult): RouteAnswer => {
  if (result.kind !== 'answer') throw new Error(`expected an answer, got ${result.kind}`);
  return result;
};

const lexicon = readDefaultLexicon();

describe('exported names are words of the module that exports them', () => {
  it('splits identifiers at case changes, acronyms and underscores', () => {
    expect(splitIdentifier('BodyLimitOptions')).toBe('Body Limit Options');
    expect(splitIdentifier('APIError')).toBe('API Error');
    expect(splitIdentifier('PARSE_ERROR_CODES')).toBe('PARSE ERROR CODES');
    expect(splitIdentifier('createHTTPServer2')).toBe('create HTTP Server2');
    expect(splitIdentifier('x')).toBe('x');
  });

  // Two transport modules; only one exports a keep-alive agent, and neither manifest's prose says so.
  const agents = (exports: string[]): Module =>
    createFixtureModule({
      name: 'x/outbound',
      path: 'framework/x/outbound',
      layer: 'extension',
      summary: 'Outbound HTTP clients for services.',
      responsibilities: ['Client construction'],
      non_goals: ['Inbound servers'],
      public_entrypoints: exports,
    });
  const inbound = createFixtureModule({
    name: 'x/inbound',
    path: 'framework/x/inbound',
    layer: 'extension',
    summary: 'Inbound HTTP servers for services.',
    responsibilities: ['Server construction'],
    non_goals: ['Outbound clients'],
  });
  const planeWith = (exports: string[]) =>
    createFixturePlane({ modules: [...FIXTURE_MODULES, agents(exports), inbound] });

  it('a description using the words of an exported name goes to the module that exports it', () => {
    const a = answer(routeWork(planeWith(['KeepAliveAgent', 'createKeepAliveAgent']), 'keep alive agent for HTTP'));
    expect(a.module.name).toBe('x/outbound');
    expect(a.words).toContainEqual(expect.objectContaining({ word: 'agent', field: 'exported name' }));
  });

  it('without the export, or at weight 0, the word is no evidence', () => {
    const without = routeWork(planeWith([]), 'keep alive agent for HTTP', { top: 5 });
    expect(without.kind === 'answer' && without.words.some((w) => w.field === 'exported name')).toBe(false);
    const off = routeWork(planeWith(['KeepAliveAgent']), 'keep alive agent for HTTP', { entrypointWeight: 0 });
    expect(off.kind === 'answer' && off.words.find((w) => w.word === 'agent')).toBeFalsy();
  });

  it("an exported word counts less than the same word in another module's prose", () => {
    // Both say "construction" in a responsibility; x/outbound exports a ServerTiming, x/inbound's summary is about servers.
    const plane = createFixturePlane({
      modules: [...FIXTURE_MODULES, agents(['ServerTiming', 'createServerTiming']), inbound],
    });
    expect(answer(routeWork(plane, 'server construction')).module.name).toBe('x/inbound');
  });

  it('exported names do not change the rarity of prose words', () => {
    const plain = getRoutingIndex(planeWith([]), lexicon);
    const exporting = getRoutingIndex(planeWith(['HttpClient', 'createInboundServer']), lexicon);
    for (const term of ['http', 'server', 'inbound']) expect(exporting.idf.get(term)).toBe(plain.idf.get(term));
    // The export-only word takes its rarity from every field.
    expect(exporting.idf.get('creat')).toBe(exporting.apartIdf.get('creat'));
  });
});

describe('registered error codes are words of the module that owns them', () => {
  const code = (c: Partial<ErrorCodeEntry> & Pick<ErrorCodeEntry, 'code' | 'module'>): ErrorCodeEntry => ({
    status: 400,
    category: 'client_error',
    description: 'A client error.',
    ...c,
  });
  const contract = createFixtureModule({
    name: 'contract',
    path: 'framework/contract',
    layer: 'stable',
    summary: 'The response envelopes every handler writes.',
    responsibilities: ['The API error type table'],
    non_goals: ['Routing'],
  });
  const sharding = createFixtureModule({
    name: 'x/sharding',
    path: 'framework/x/sharding',
    layer: 'extension',
    summary: 'Shard maps and their errors for cross-shard queries.',
    responsibilities: ['Shard key mapping'],
    non_goals: ['Single databases'],
  });
  const codes = [
    code({
      code: 'RESOURCE_CONFLICT',
      status: 409,
      module: 'contract',
      description: "The request conflicts with the resource's current state.",
    }),
    code({
      code: 'PLUMEGO_ERR_SHARD_UNKNOWN',
      status: 500,
      module: 'x/sharding',
      description: 'Typed error (not an HTTP envelope code): no shard owns the key.',
    }),
  ];
  const base = createFixturePlane({ modules: [...FIXTURE_MODULES, contract, sharding] });
  const plane: RoutingPlane = { ...base, errorCodes: codes };

  it('a conflict error mapped to 409 goes to the module that registers that code', () => {
    const a = answer(routeWork(plane, 'a conflict error answered with 409'));
    expect(a.module.name).toBe('contract');
    expect(a.words).toContainEqual(expect.objectContaining({ word: 'conflict', field: 'error code' }));
  });

  it('without the error codes the module whose summary says "errors" wins', () => {
    expect(answer(routeWork(base, 'a conflict error answered with 409')).module.name).toBe('x/sharding');
  });

  it('a parenthetical aside of a code description is not indexed', () => {
    const doc = getRoutingIndex(plane, lexicon).byName.get('x/sharding')!;
    expect(doc.termTexts.get('envelop')).toBeUndefined();
    expect(doc.termTexts.get('shard')?.map((t) => t.kind)).toContain('error-code');
  });

  it('a code word does not outweigh another module prose on the same words', () => {
    // "shard key" is x/sharding's responsibility; contract registering a shard-ish code would not move it.
    const noisy: RoutingPlane = {
      ...base,
      errorCodes: [...codes, code({ code: 'SHARD_KEY_MISSING', module: 'contract', description: 'No shard key.' })],
    };
    expect(answer(routeWork(noisy, 'shard key mapping')).module.name).toBe('x/sharding');
  });
});

describe("a module's README prose is a low-weight field", () => {
  const dir = mkdtempSync(join(tmpdir(), 'route-readme-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const readme = [
    '# x/gateway/discovery',
    '',
    'Keeps the pool current from SRV records and a watched JSON file.',
    '',
    '```ts',
    'const discovery = createDnsDiscovery({ hostname: "orders" });',
    '```',
    '',
    'Use `createStaticDiscovery(targets)` for a fixed list. <!-- generated: do not edit -->',
  ].join('\n');

  it('keeps prose and drops fenced code, inline code and HTML comments', () => {
    const prose = getReadmeProse(readme);
    expect(prose).toContain('SRV records');
    expect(prose).not.toContain('createDnsDiscovery');
    expect(prose).not.toContain('createStaticDiscovery');
    expect(prose).not.toContain('generated');
  });

  it("reads each module folder's README.md and skips modules without one", () => {
    mkdirSync(join(dir, 'framework/x/gateway/discovery'), { recursive: true });
    writeFileSync(join(dir, 'framework/x/gateway/discovery/README.md'), readme);
    const readmes = readModuleReadmes(dir, FIXTURE_MODULES);
    expect(Object.keys(readmes)).toEqual(['x/gateway/discovery']);
    expect(readmes['x/gateway/discovery']).toContain('watched JSON file');
  });

  it('attaches READMEs only to a plane loaded from a repository, once per plane', () => {
    const fixture = createFixturePlane();
    expect(attachModuleReadmes(fixture)).toBe(fixture);
    const fromRepo = { ...createFixturePlane(), root: dir };
    const attached = attachModuleReadmes(fromRepo);
    expect(attached.readmes?.['x/gateway/discovery']).toContain('SRV records');
    expect(attachModuleReadmes(fromRepo)).toBe(attached);
  });

  it('a README word routes the work to its module; without READMEs it does not', () => {
    const ask = 'SRV records watched';
    const withDocs = answer(routeWork({ ...createFixturePlane(), root: dir } as RoutingPlane, ask));
    expect(withDocs.module.name).toBe('x/gateway/discovery');
    // The README is indexed whole; the explanation quotes the paragraph that holds the word.
    expect(withDocs.words).toContainEqual({
      word: 'srv',
      field: 'README',
      text: 'Keeps the pool current from SRV records and a watched JSON file.',
    });
    const without = routeWork(createFixturePlane(), ask);
    expect(without.kind === 'answer' && without.module.name === 'x/gateway/discovery').toBe(false);
  });

  it("a README word counts less than another module's summary word", () => {
    // The discovery README mentions a JSON file; x/frontend's summary is about static assets and cache headers.
    const plane: RoutingPlane = {
      ...createFixturePlane(),
      readmes: { 'x/gateway/discovery': 'Serves static assets from a watched folder.' },
    };
    expect(answer(routeWork(plane, 'static assets')).module.name).toBe('x/frontend');
  });
});

describe("a module's text that names an area as a whole does not claim the area's words", () => {
  // The loader's primer mentions "task cards" because it loads them: "card" stays the task area's word.
  const loader = (primer: string): Module =>
    createFixtureModule({
      name: 'tools/loader',
      path: 'tools/loader',
      layer: 'tooling',
      summary: 'Parses and validates the specs with positions.',
      primer_question: primer,
      responsibilities: ['Schema validation with line and column'],
      non_goals: ['Ranking modules'],
    });
  const planeWith = (primer: string) => createFixturePlane({ modules: [...FIXTURE_MODULES, loader(primer)] });

  it('a card about a module goes to the task area although the loader mentions task cards', () => {
    const r = routeWork(
      planeWith('loading specs, manifests and task cards'),
      'move the card about the gateway upstream proxy back',
    );
    expect(r.kind === 'area' && r.rule.paths).toEqual(['tasks']);
  });

  it('a module that claims the word outside the area name keeps it from deciding', () => {
    const r = routeWork(
      planeWith('card decks and their layout'),
      'move the card about the gateway upstream proxy back',
    );
    expect(r.kind).toBe('answer');
  });

  it('the loader keeps work on loading the cards, since it uses the word itself', () => {
    const r = routeWork(
      planeWith('loading specs, manifests and task cards'),
      'validate task cards and report the line of a bad key',
    );
    expect(answer(r).module.name).toBe('tools/loader');
  });
});
