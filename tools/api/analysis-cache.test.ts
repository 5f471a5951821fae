import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadControlPlane } from '../control-plane/index.ts';
import { API_CACHE_FILE } from './analysis-cache.ts';
import { getCachedAnalysis } from './analyze.ts';
import { loadApiFixture, type LoadedFixture } from './testing/api-fixture.ts';

let fixture: LoadedFixture | undefined;
afterEach(() => fixture?.cleanup());

async function reload(root: string): Promise<Parameters<typeof getCachedAnalysis>[0]> {
  return (await loadControlPlane(root)).plane!;
}

describe('API analysis cache', () => {
  it('reuses an unchanged analysis across runs and redoes it after a source edit', async () => {
    fixture = await loadApiFixture({});
    const first = getCachedAnalysis(fixture.plane);
    expect(first.cached).toBe(false);
    expect(existsSync(`${fixture.root}/${API_CACHE_FILE}`)).toBe(true);

    const second = getCachedAnalysis(await reload(fixture.root));
    expect(second.cached).toBe(true);
    expect([...second.apis.values()]).toEqual([...first.apis.values()]);
    expect(second.codeSites).toEqual(first.codeSites);

    appendFileSync(`${fixture.root}/framework/contract/index.ts`, 'export const later = 2;\n');
    const third = getCachedAnalysis(await reload(fixture.root));
    expect(third.cached).toBe(false);
    expect(third.apis.get('contract')!.names).toEqual(['contract', 'later']);
  });

  it('ignores test files in the key, and can be bypassed', async () => {
    fixture = await loadApiFixture({});
    getCachedAnalysis(fixture.plane);
    writeFileSync(`${fixture.root}/framework/contract/contract.test.ts`, 'export {};\n');
    expect(getCachedAnalysis(await reload(fixture.root)).cached).toBe(true);
    expect(getCachedAnalysis(await reload(fixture.root), { cache: false }).cached).toBe(false);
  });

  it('treats a corrupt cache file as a miss', async () => {
    fixture = await loadApiFixture({});
    getCachedAnalysis(fixture.plane);
    writeFileSync(`${fixture.root}/${API_CACHE_FILE}`, '{not json');
    expect(getCachedAnalysis(await reload(fixture.root)).cached).toBe(false);
  });
});
