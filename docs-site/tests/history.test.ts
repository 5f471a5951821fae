import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateHistory } from '../../tools/site-data/index.ts';
import type { SiteHistory } from '../src/data/plumego.generated.types.ts';
import { niceAxis, renderLineChart, renderSparkline, segments } from '../src/lib/history-svg.ts';
import { assertBuilt, REPO_ROOT } from './site-dist.ts';

const HISTORY_FILE = join(REPO_ROOT, 'docs-site/src/data/history.generated.json');

describe('history charts (static SVG)', () => {
  it('puts gridlines on round numbers and breaks lines at gaps', () => {
    expect([0, 1, 3, 7, 10, 34, 61, 340].map(niceAxis)).toEqual([
      { top: 1, step: 1 },
      { top: 1, step: 1 },
      { top: 3, step: 1 },
      { top: 8, step: 2 },
      { top: 10, step: 5 },
      { top: 40, step: 10 },
      { top: 80, step: 20 },
      { top: 400, step: 100 },
    ]);
    expect(segments([1, null, 2, 3, null])).toEqual([
      { start: 0, values: [1] },
      { start: 2, values: [2, 3] },
    ]);
    expect(segments([null, null])).toEqual([]);
  });

  it('draws one group per series, a point for a lone value, and an accessible title', () => {
    const svg = renderLineChart(
      {
        title: 'T <1>',
        description: 'D',
        xLabels: ['a', 'b', 'c'],
        series: [
          { label: 's1', className: 'c1', values: [0, 5, 10] },
          { label: 's2', className: 'c2', values: [null, 3, null] },
        ],
      },
      'x',
    );
    expect(svg).toContain('<title id="x-title">T &lt;1&gt;</title>');
    expect(svg).toContain('aria-labelledby="x-title x-desc"');
    expect(svg.match(/<g class="chart-series/g)).toHaveLength(2);
    expect(svg).toMatch(/data-series="s1"><polyline fill="none" points="44,192 336,102 628,12"\/>/);
    expect([...svg.matchAll(/text-anchor="end">(\d+)<\/text>/g)].map((m) => m[1])).toEqual(['0', '5', '10']);
    expect(svg).toMatch(/data-series="s2"><circle cx="336"/);
    expect(renderSparkline([1], 'one')).not.toContain('polyline');
  });
});

describe('the committed history file', () => {
  it("is well formed (every build reads it, CI's shallow clone included)", () => {
    const history = JSON.parse(readFileSync(HISTORY_FILE, 'utf8')) as SiteHistory;
    expect(validateHistory(history)).toEqual([]);
    expect(history.available).toBe(true);
    expect(history.points.length).toBeGreaterThan(1);
  });

  it('is drawn on the built history page: a line per tier, the baseline, a sparkline per module with an API', () => {
    const history = JSON.parse(readFileSync(HISTORY_FILE, 'utf8')) as SiteHistory;
    const html = readFileSync(join(assertBuilt(), 'history/index.html'), 'utf8');
    expect(html).toContain('data-history="available"');
    const tiers = new Set(history.points.flatMap((p) => Object.keys(p.tiers)));
    expect(html.match(/<g class="chart-series tier-slot-/g)).toHaveLength(tiers.size);
    expect(html).toContain('data-series="baseline entries"');
    const withApi = new Set(
      history.points.flatMap((p) =>
        Object.entries(p.api)
          .filter(([, n]) => n > 0)
          .map(([m]) => m),
      ),
    );
    expect(html.match(/<tr data-api-module=/g)).toHaveLength(withApi.size);
    expect(html).not.toMatch(/<script[^>]*src=[^>]*chart/i);
  });
});
