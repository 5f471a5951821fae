import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadControlPlane } from '../control-plane/index.ts';
import { runSync } from '../sync/index.ts';
import { createSiteDataGenerators, SITE_DATA_FILE, SITE_TYPES_FILE, type SiteData } from './index.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/repo/', import.meta.url));

describe('site data generators', () => {
  it('render both files from one build with the extras they are given, without writing', async () => {
    const { plane } = await loadControlPlane(FIXTURE);
    let calls = 0;
    const generators = createSiteDataGenerators(async () => {
      calls++;
      return {
        routeExamples: [
          {
            ask: 'alpha things',
            expected: 'x/alpha',
            answer: 'x/alpha',
            task: 'alpha_work',
            reason: 'alpha',
            correct: true,
          },
        ],
      };
    });
    const outcomes = await runSync(plane!, false, generators);
    expect(outcomes.map((o) => [o.generator.file, o.stale])).toEqual([
      [SITE_DATA_FILE, true],
      [SITE_TYPES_FILE, true],
    ]);
    expect(calls).toBe(1);
    const data = JSON.parse(outcomes[0]!.next!) as SiteData;
    expect(data.routing.examples.map((e) => e.answer)).toEqual(['x/alpha']);
    expect(outcomes[1]!.next).toContain('export interface SiteData');
  });
});
