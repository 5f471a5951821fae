import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Violation } from '../control-plane/index.ts';
import { loadApiFixture, manifestWith, type LoadedFixture } from '../api/testing/api-fixture.ts';
import { readApiAnalysis, writeSnapshots } from '../api/index.ts';
import { findErrorCodeViolations, collectCodeSites } from './check-error-codes.ts';
import { findMaturityViolations } from './check-maturity.ts';
import { collectEvidence, getEvidenceCells } from './collect-evidence.ts';

let fixture: LoadedFixture | undefined;
afterEach(() => fixture?.cleanup());

async function load(files: Record<string, string | object | null>): Promise<LoadedFixture> {
  fixture = await loadApiFixture(files);
  return fixture;
}

const brief = (v: Violation): string => `${v.rule} ${v.file}:${v.line}`;
const RESULT = 'tools/mutation/results/contract.json';
const result = (score: number, threshold = 75, module = 'contract'): string =>
  JSON.stringify({
    target: 'contract',
    module,
    when: '2026-12-07T00:00:00.000Z',
    threshold,
    score,
    counts: { killed: 70, timeout: 5, survived: 20, noCoverage: 5, invalid: 3 },
    seconds: 60,
    survivors: [],
  });
const complete = {
  'framework/contract/module.yaml': manifestWith('framework/contract/module.yaml', {
    public_entrypoints: ['contract'],
    primer_question: 'what the contract module is for',
  }),
  'framework/contract/api.md': '<!-- generated -->\n',
  'reference/demo/demo.test.ts': "import { contract } from 'fixture/contract';\n",
};

describe('maturity evidence', () => {
  it('names each missing piece of an implemented ga module', async () => {
    const f = await load({
      'framework/contract/module.yaml': manifestWith('framework/contract/module.yaml', {
        public_entrypoints: ['contract'],
      }),
    });
    const v = findMaturityViolations(f.plane, collectEvidence(f.plane));
    const contract = v.filter((x) => x.from === 'contract');
    expect(contract.map(brief)).toEqual([
      'snapshot-missing framework/contract/module.yaml:4',
      'tests-missing framework/contract/module.yaml:4',
      'primer-missing framework/contract/module.yaml:4',
      'mutation-score-missing framework/contract/module.yaml:4',
    ]);
    expect(contract.map((x) => x.severity)).toEqual(['error', 'error', 'error', 'error']);
    expect(contract[0]!.message).toBe("ga module 'contract' lacks its API snapshot (framework/contract/api.md)");
    expect(contract[0]!.fix).toBe('Run `plumego api snapshot --module contract` and commit framework/contract/api.md.');
  });

  it('is satisfied by a snapshot, a test importing the module, a primer question and a mutation score at its threshold', async () => {
    const f = await load({ ...complete, [RESULT]: result(75) });
    const evidence = collectEvidence(f.plane).find((e) => e.module === 'contract')!;
    expect(evidence).toMatchObject({
      state: 'implemented',
      required: true,
      tests: { own: 0, importing: 1, total: 1 },
      missing: [],
    });
    expect(evidence.mutation).toEqual([
      {
        target: 'contract',
        score: 75,
        threshold: 75,
        when: '2026-12-07T00:00:00.000Z',
        mutants: 100,
        survived: 20,
        noCoverage: 5,
      },
    ]);
    expect(getEvidenceCells(evidence)).toEqual(['yes', '0+1', 'generated']);
    expect(findMaturityViolations(f.plane, [evidence])).toEqual([]);
  });

  it('flags a ga stable root whose recorded mutation score is below its threshold', async () => {
    const f = await load({ ...complete, [RESULT]: result(74.9) });
    const v = findMaturityViolations(f.plane, collectEvidence(f.plane)).filter((x) => x.from === 'contract');
    expect(v.map(brief)).toEqual(['mutation-score-below-threshold framework/contract/module.yaml:4']);
    // An error, not a warning: `plumego check` fails on it.
    expect(v[0]!.severity).toBe('error');
  });

  it('reports an unreadable or incomplete result as a missing score, never as a pass', async () => {
    for (const text of [
      '{ not json',
      result(99, 75, '').replace('"module":""', '"other":1'),
      JSON.stringify({ target: 'contract', module: 'contract', threshold: 75 }),
    ]) {
      const f = await load({ ...complete, [RESULT]: text });
      const evidence = collectEvidence(f.plane).find((e) => e.module === 'contract')!;
      expect(evidence.mutation).toEqual([]);
      expect(findMaturityViolations(f.plane, [evidence]).map(brief)).toEqual([
        'mutation-score-missing framework/contract/module.yaml:4',
      ]);
      fixture?.cleanup();
      fixture = undefined;
    }
  });

  it('judges every target of a module, and no score of a beta module', async () => {
    const second = 'tools/mutation/results/contract-body.json';
    const f = await load({
      ...complete,
      [RESULT]: result(90),
      [second]: result(50).replace('"target":"contract"', '"target":"contract-body"'),
    });
    const evidence = collectEvidence(f.plane).find((e) => e.module === 'contract')!;
    expect(evidence.mutation.map((s) => s.target)).toEqual(['contract', 'contract-body']);
    expect(findMaturityViolations(f.plane, [evidence]).map((x) => x.message)).toEqual([
      expect.stringContaining("'contract-body'"),
    ]);
    expect(findMaturityViolations(f.plane, [{ ...evidence, tier: 'beta' }])).toEqual([]);
  });

  it('counts tests wherever repo.yaml puts modules, never in generated or fixture folders', async () => {
    const f = await load({
      'framework/contract/contract.test.ts': "import { contract } from './index.ts';\n",
      'framework/contract/generated/copy.test.ts': "import { contract } from '../index.ts';\n",
      'framework/contract/fixtures/repo/x.test.ts': "import { contract } from '../../index.ts';\n",
      'tools/tools.test.ts': "import { contract } from 'fixture/contract';\n",
    });
    expect(collectEvidence(f.plane).find((e) => e.module === 'contract')!.tests).toMatchObject({
      own: 1,
      importing: 1,
      total: 2,
    });
  });

  it('compares snapshots with the code when asked', async () => {
    const f = await load({});
    await writeSnapshots(f.plane, [f.plane.moduleByName.get('contract')!]);
    writeFileSync(`${f.root}/framework/api.md`, 'hand-written\n');
    const evidence = collectEvidence(f.plane, { analysis: await readApiAnalysis(f.plane) });
    expect(evidence.find((e) => e.module === 'contract')!.snapshot).toEqual({
      path: 'framework/contract/api.md',
      exists: true,
      state: 'fresh',
      exports: 1,
    });
    expect(evidence.find((e) => e.module === 'fixture')!.snapshot).toMatchObject({ state: 'unreadable' });
    expect(collectEvidence(f.plane).find((e) => e.module === 'contract')!.snapshot).toEqual({
      path: 'framework/contract/api.md',
      exists: true,
    });
  });

  it('does not fail a beta or ga module that is declared but not implemented, and shows it as such', async () => {
    const f = await load({});
    const router = collectEvidence(f.plane).find((e) => e.module === 'router')!;
    expect(router).toMatchObject({ tier: 'ga', state: 'declared', required: false, missing: [] });
    expect(getEvidenceCells(router)).toEqual(['—', '—', '—']);
    expect(findMaturityViolations(f.plane, [router])).toEqual([]);
  });

  it('requires nothing of experimental modules', async () => {
    const f = await load({ 'framework/x/rest/versioning/index.ts': 'export const v = 1;\n' });
    expect(collectEvidence(f.plane).find((e) => e.module === 'x/rest/versioning')).toMatchObject({
      state: 'implemented',
      required: false,
      missing: [],
    });
  });
});

describe('error-code registry check', () => {
  const entry = (code: string, status: number, category: string, module = 'contract'): object => ({
    code,
    status,
    category,
    module,
    description: `The ${code} failure.`,
  });

  async function check(codes: object[], source: string): Promise<Violation[]> {
    const f = await load({ 'specs/error-codes.yaml': { codes }, 'framework/contract/index.ts': source });
    return findErrorCodeViolations(f.plane, await collectCodeSites(f.plane));
  }

  it('passes when emitted and registered codes agree', async () => {
    expect(
      await check(
        [entry('CONTRACT_BROKEN', 500, 'server_error')],
        "export const contract = () => ({ code: 'CONTRACT_BROKEN' });\n",
      ),
    ).toEqual([]);
  });

  it('reports an emitted code missing from the registry, at the emitting line', async () => {
    const v = await check([], "export const contract = 1;\nexport const e = { code: 'NEW_FAILURE' };\n");
    expect(v.map(brief)).toEqual(['unregistered-code framework/contract/index.ts:2']);
    expect(v[0]!.fix).toMatch(/Add \{ code: NEW_FAILURE, status, category, module: contract, description \}/);
  });

  it('reports a registered code nothing uses, and one whose category does not fit its status', async () => {
    const v = await check(
      [entry('GHOST', 404, 'client_error'), entry('CONTRACT_BROKEN', 500, 'client_error')],
      "export const contract = { code: 'CONTRACT_BROKEN' };\n",
    );
    expect(v.map((x) => `${x.rule}: ${x.message}`)).toEqual([
      'category-family: error code CONTRACT_BROKEN has status 500 but category client_error',
      'unused-code: error code GHOST is registered but no library source reachable from a public entry, nor any reference service, uses it',
    ]);
    expect(v[0]!.fix).toMatch(/\(server_error\)/);
  });

  it('reports duplicates, unknown modules and a code registered to a module that never emits it', async () => {
    const v = await check(
      [
        entry('CONTRACT_BROKEN', 500, 'server_error'),
        entry('CONTRACT_BROKEN', 500, 'server_error'),
        entry('OTHER_CODE', 400, 'client_error', 'nowhere'),
        entry('ROUTED', 400, 'client_error', 'router'),
      ],
      "export const contract = { code: 'CONTRACT_BROKEN' };\nexport const b = { code: 'OTHER_CODE' };\nexport const c = { code: 'ROUTED' };\n",
    );
    expect(v.map((x) => x.rule)).toEqual(['duplicate-code', 'unknown-module', 'wrong-module']);
  });

  it('scans reference services too', async () => {
    const f = await load({
      'specs/error-codes.yaml': { codes: [entry('DEMO_FAILED', 500, 'server_error', 'reference/demo')] },
      'reference/demo/main.ts':
        "export const fail = () => ({ code: 'DEMO_FAILED' });\nexport const other = { code: 'DEMO_UNLISTED' };\n",
    });
    expect(findErrorCodeViolations(f.plane, await collectCodeSites(f.plane)).map(brief)).toEqual([
      'unregistered-code reference/demo/main.ts:2',
    ]);
  });

  it('counts an argument of new …Error only where the constructor parameter is a code', async () => {
    const f = await load({
      'reference/demo/main.ts': [
        'class ConfigError extends Error { constructor(readonly variable: string, problem: string) { super(problem); } }',
        'class DemoError extends Error { constructor(readonly op: string, readonly code: string) { super(code); } }',
        "export const a = new ConfigError('APP_PORT', 'must be a number');",
        "export const b = new DemoError('start', 'DEMO_START_FAILED');",
      ].join('\n'),
    });
    expect(
      findErrorCodeViolations(f.plane, await collectCodeSites(f.plane)).map((x) => `${x.severity}: ${x.message}`),
    ).toEqual([
      "error: typed error code DEMO_START_FAILED (an Error subclass's code, not sent on the wire) is thrown here but is not in specs/error-codes.yaml",
    ]);
  });

  it('ignores test files: a code only a test mentions is unused', async () => {
    const f = await load({
      'specs/error-codes.yaml': { codes: [entry('TEST_ONLY', 400, 'client_error')] },
      'framework/contract/contract.test.ts': "expect(err.code).toBe('TEST_ONLY');\n",
    });
    expect(findErrorCodeViolations(f.plane, await collectCodeSites(f.plane)).map((x) => x.rule)).toEqual([
      'unused-code',
    ]);
  });
});
