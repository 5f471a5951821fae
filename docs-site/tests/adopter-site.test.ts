import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAYOUTS, linkPackages } from '../../tools/init/testing/layouts.ts';
import { CHROMIUM } from './browser-session.ts';
import { checkLinks } from './link-check.ts';
import { REPO_ROOT } from './site-dist.ts';
import { serveStatic } from './static-server.ts';

/**
 * `plumego site` on an adopter's repository: a fixture from init's corpus, adopted with
 * `plumego init --yes`, built with `plumego site --out <tmp>` through the real bin. The pages list
 * the fixture's modules and none of ours, carry the adopter's prose and none of ours, and link cleanly.
 */
const BIN = join(REPO_ROOT, 'tools/cli/bin.mjs');
const FIXTURE = LAYOUTS.find((l) => l.title.includes('cycle'))!;
const OUR_PROSE = readFileSync(join(REPO_ROOT, 'docs-site/src/prose/plumego.md'), 'utf8').split('\n')[0]!.slice(0, 60);
const OUR_MODULES = ['router', 'contract', 'x/gateway', 'docs-site'];

const run = async (cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, CI: '' },
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
};

function writeRepo(files: Readonly<Record<string, string | object>>): string {
  const root = mkdtempSync(join(tmpdir(), 'plumego-adopter-'));
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof body === 'string' ? body : JSON.stringify(body));
  }
  return root;
}

let root: string;
let out: string;
let built: { code: number; out: string; err: string };
let before: string[];

const listRepo = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => !f.startsWith('node_modules'))
    .sort();

beforeAll(async () => {
  root = writeRepo({
    ...FIXTURE.files,
    'docs/plumego/team.md':
      '---\ntitle: How our team works\n---\n\nAdopter prose: ask in #platform before adding a module.\n',
    'docs/plumego/modules/a.md': 'Adopter note on module a: it owns the arithmetic.\n',
  });
  linkPackages(root, FIXTURE.links);
  const init = await run(root, 'init', '--yes');
  expect(init.code, init.err).toBe(0);
  before = listRepo(root);
  out = join(mkdtempSync(join(tmpdir(), 'plumego-adopter-out-')), 'site');
  built = await run(root, 'site', '--out', out, '--format', 'json');
}, 180_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(dirname(out), { recursive: true, force: true });
});

describe('plumego site on an adopted repository', () => {
  it('builds into the folder given, with every page template, and writes nothing into the repository', () => {
    expect(built.code, `${built.err}\n${built.out}`).toBe(0);
    const result = JSON.parse(built.out) as { pages: number; modules: number; ms: number };
    expect(result.modules).toBe(FIXTURE.modules.length);
    for (const page of [
      'index.html',
      'status/index.html',
      'modules/index.html',
      'graph/index.html',
      'matrix/index.html',
      'router/index.html',
      'history/index.html',
    ]) {
      expect(existsSync(join(out, page)), page).toBe(true);
    }
    expect(listRepo(root)).toEqual(before);
  });

  it("lists the fixture's modules and not Plumego's", () => {
    const status = readFileSync(join(out, 'status/index.html'), 'utf8');
    const rows = [...status.matchAll(/<tr[^>]*data-module="([^"]+)"/g)].map((m) => m[1]);
    expect([...new Set(rows)].sort()).toEqual([...FIXTURE.modules]);
    for (const name of FIXTURE.modules)
      expect(existsSync(join(out, 'modules', ...name.split('/'), 'index.html')), name).toBe(true);
    for (const name of OUR_MODULES) expect(existsSync(join(out, 'modules', ...name.split('/'))), name).toBe(false);
  });

  it("carries the adopter's prose and none of ours (no guides, no about page, no primer notes)", () => {
    expect(readFileSync(join(out, 'team/index.html'), 'utf8')).toContain('ask in #platform');
    expect(readFileSync(join(out, 'modules/a/index.html'), 'utf8')).toContain('it owns the arithmetic');
    expect(existsSync(join(out, 'guides'))).toBe(false);
    expect(existsSync(join(out, 'about'))).toBe(false);
    const all = readdirSync(out, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.html'))
      .map((f) => readFileSync(join(out, f), 'utf8'))
      .join('\n');
    expect(all).not.toContain(OUR_PROSE);
    expect(all).not.toContain('/guides/');
  });

  it("draws the adopter's own history or says why it has none, never ours", () => {
    const history = readFileSync(join(out, 'history/index.html'), 'utf8');
    // The fixture is a folder outside git: the page says so instead of borrowing this repository's history.
    expect(history).toContain('data-history="unavailable"');
    expect(history).toContain('not a git repository');
  });

  it('has zero broken internal links or anchors', () => {
    const report = checkLinks(out);
    expect(report.pages).toBeGreaterThan(5);
    expect(report.broken.map((b) => `${b.page}: ${b.href} (${b.reason})`)).toEqual([]);
  });

  it.skipIf(!CHROMIUM.run)("shows the fixture's status rows and its baselined violations in Chromium", async () => {
    const server = await serveStatic(out);
    const browser = await chromium.launch({
      executablePath: CHROMIUM.path,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`${server.url}/status/`);
      const names = await page
        .locator('tr[data-module]')
        .evaluateAll((trs) =>
          trs.filter((t) => (t as HTMLElement).offsetParent !== null).map((t) => (t as HTMLElement).dataset['module']),
        );
      expect(names.sort()).toEqual([...FIXTURE.modules]);
      await expect(page.title()).resolves.toContain(JSON.parse(FIXTURE.files['package.json'] as string).name);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});

describe('plumego site from the published package', () => {
  it('carries the site sources and every tools/ source they import, and none of our prose or data', async () => {
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: REPO_ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    const packed = new Set(
      (JSON.parse(stdout.slice(stdout.indexOf('['))) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path),
    );
    const sources = readdirSync(join(REPO_ROOT, 'docs-site/src'), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(astro|ts|css)$/.test(f))
      .map((f) => `docs-site/src/${f}`);
    const needed = new Set(['docs-site/astro.config.mjs', 'docs-site/package.json']);
    const queue = sources.filter((f) => !f.includes('/content/docs/'));
    for (const f of queue) needed.add(f);
    // Follow relative imports into tools/ (the router page runs plumego route's scoring code).
    while (queue.length) {
      const file = queue.pop()!;
      for (const m of readFileSync(join(REPO_ROOT, file), 'utf8').matchAll(
        /^\s*import (?!type )[^'"]*['"](\.{1,2}\/[^'"]+\.ts)['"]/gm,
      )) {
        const target = join(dirname(file), m[1]!);
        if (target.startsWith('tools/') && !needed.has(target)) {
          needed.add(target);
          queue.push(target);
        }
      }
    }
    expect([...needed].filter((f) => !packed.has(f))).toEqual([]);
    expect(
      [...packed].filter((f) => /^docs-site\/src\/(content\/docs|prose)\/|^docs-site\/src\/data\/.*\.json$/.test(f)),
    ).toEqual([]);
  }, 60_000);
});

describe('plumego site: bad input', () => {
  it('refuses a repository without specs, exit 2, pointing at plumego init', async () => {
    const bare = writeRepo({ 'package.json': '{"name":"bare"}\n' });
    const r = await run(bare, 'site', '--out', join(bare, '..', `${Date.now()}-never`));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no specs\/repo\.yaml[^]*plumego init/);
    rmSync(bare, { recursive: true, force: true });
  });

  it('refuses --out pointing at a file, and a non-empty folder that is not an earlier site', async () => {
    const file = join(root, 'package.json');
    const r = await run(root, 'site', '--out', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain('is a file, not a folder');
    const r2 = await run(root, 'site', '--out', join(root, 'specs'));
    expect(r2.code).toBe(2);
    expect(r2.err).toContain('is not empty and is not an earlier plumego site output');
  });
});
