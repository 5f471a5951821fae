import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SiteData } from '../src/data/plumego.generated.types.ts';
import { blankFences, findPageLiterals, type LiteralFacts } from './page-literals.ts';

const SITE = fileURLToPath(new URL('..', import.meta.url));
const data = JSON.parse(readFileSync(join(SITE, 'src/data/plumego.generated.json'), 'utf8')) as SiteData;
const facts: LiteralFacts = {
  tierIds: data.tiers.map((t) => t.id),
  tierLabels: data.tiers.map((t) => t.label),
  units: data.tiers.map((t) => t.unit),
  moduleNames: data.modules.map((m) => m.name),
};

/** Every hand-written source of the site: pages, components, libraries, config, prose. Generated data is exempt. */
function listSources(): string[] {
  const files = readdirSync(join(SITE, 'src'), { recursive: true, encoding: 'utf8' })
    .map((f) => join('src', f))
    .filter((f) => /\.(astro|ts|mjs|js|md|mdx|css)$/.test(f) && !f.startsWith(join('src', 'data')));
  return ['astro.config.mjs', ...files].sort();
}

describe('page sources carry no literal facts', () => {
  const cases = [
    { title: 'flags a release version', input: 'Promoted in v1.1.0', expected: ['version'] },
    { title: 'flags a count with its unit', input: '<td>9 packages</td>', expected: ['count'] },
    { title: 'flags a count after a list name', input: 'Stable roots 9', expected: ['count'] },
    { title: 'flags a tier label', input: '<th>Beta surfaces</th>', expected: ['tier'] },
    { title: 'flags a tier id compared in code', input: "m.tier === 'experimental'", expected: ['tier'] },
    { title: 'flags a quoted module name', input: "const roots = ['core', 'router'];", expected: ['module', 'module'] },
    { title: 'flags an x/* path in text', input: 'Start at x/gateway', expected: ['module'] },
    {
      title: 'allows derived expressions and the family wildcard',
      input: '{formatCount(t.count, t.unit)} under <code>x/*</code> in stable roots',
      expected: [],
    },
  ];
  for (const c of cases) {
    it(c.title, () => {
      expect(findPageLiterals('sample.astro', c.input, facts).map((h) => h.kind)).toEqual(c.expected);
    });
  }

  it('scans the prose of a guide but not its code blocks (the guides test runs those)', () => {
    const text = 'Tier beta\n```yaml schema=module-manifest\nstatus: beta\n```\nafter';
    expect(blankFences(text)).toBe('Tier beta\n```yaml schema=module-manifest\n\n```\nafter');
  });

  it('finds the site sources to scan', () => {
    expect(listSources()).toEqual(
      expect.arrayContaining([
        'astro.config.mjs',
        join('src', 'pages', 'modules', 'index.astro'),
        join('src', 'pages', 'status.astro'),
      ]),
    );
  });

  it('finds no literal count, tier, version or module in any site source', () => {
    const read = (f: string): string =>
      (/\.mdx?$/.test(f) ? blankFences : (s: string) => s)(readFileSync(join(SITE, f), 'utf8'));
    const hits = listSources().flatMap((f) => findPageLiterals(relative(SITE, join(SITE, f)), read(f), facts));
    expect(hits.map((h) => `${h.file}:${h.line} ${h.kind} "${h.text}"`)).toEqual([]);
  });
});
