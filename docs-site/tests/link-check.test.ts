import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLinks, extractLinks } from './link-check.ts';
import { assertBuilt } from './site-dist.ts';

function makeSite(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'plumego-links-'));
  for (const [path, html] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), html);
  }
  return dir;
}

describe('link checker', () => {
  it('resolves directory links, relative links and anchors', () => {
    const dir = makeSite({
      'index.html':
        '<a href="/a/">a</a><a href="a/#top">top</a><a href="#here">here</a><p id="here"></p><a href="https://example.com/x">ext</a>',
      'a/index.html': '<h1 id="top">A</h1><a href="../">home</a><img src="/img.svg">',
      'img.svg': '<svg/>',
    });
    expect(checkLinks(dir)).toEqual({ pages: 2, links: 5, broken: [] });
  });

  it('reports a missing page and a missing anchor', () => {
    const dir = makeSite({ 'index.html': '<a href="/nope/">x</a><a href="/#gone">y</a>' });
    expect(checkLinks(dir).broken).toEqual([
      { page: 'index.html', href: '/nope/', reason: 'missing-page' },
      { page: 'index.html', href: '/#gone', reason: 'missing-anchor' },
    ]);
  });

  it('ignores text inside inline scripts', () => {
    expect(extractLinks('<script>const s = \' href="/broken/"\';</script><a href="/ok/">ok</a>')).toEqual(['/ok/']);
  });
});

describe('built site links', () => {
  it('has zero broken internal links or anchors in docs-site/dist', () => {
    const report = checkLinks(assertBuilt());
    expect(report.pages).toBeGreaterThan(1);
    expect(report.broken.map((b) => `${b.page}: ${b.href} (${b.reason})`)).toEqual([]);
  });
});
