import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LAYOUTS, linkPackages } from '../../tools/init/testing/layouts.ts';
import { GUIDES } from '../src/lib/guides.ts';
import { classifyBlock, extractBlocks, GuideBlockError, outputOf, type GuideBlock } from './guide-blocks.ts';
import { REPO_ROOT } from './site-dist.ts';

/**
 * Every code block of every guide is checked, so the guides cannot drift from the code: TypeScript
 * blocks are typechecked against the package's subpaths and run (their `text output` compared), shell
 * blocks run against a sandbox repository with this checkout's CLI, YAML blocks are validated against
 * the spec schemas. A block that is deliberately not run says so (no-test="why"); see guide-blocks.ts.
 */
const GUIDES_DIR = join(REPO_ROOT, 'docs-site/src/content/docs/guides');
const BLOCKS_DIR = join(REPO_ROOT, '.cache/guide-blocks');
const BIN = join(REPO_ROOT, 'tools/cli/bin.mjs');

/** Where a guide's shell blocks run, in order, sharing state: */
type Sandbox = 'fixture' | 'adopted' | 'self' | 'empty';
const SANDBOX: Readonly<Record<string, Sandbox>> = {
  'control-plane': 'fixture', // a repository before `plumego init` (init's src/* fixture)
  service: 'empty',
  tiers: 'self', // read-only commands on this repository
  boundaries: 'adopted', // init's workspace fixture with a cycle and a layer break, after `init --yes`
  'task-routing': 'self',
  'middleware-order': 'self',
  errors: 'self',
};

const SHELL_PRELUDE = `plumego() { node "$PLUMEGO_BIN" "$@"; }
npx() { if [ "$1" = plumego ]; then shift; node "$PLUMEGO_BIN" "$@"; else echo "guides run only npx plumego (got npx $1)" >&2; return 97; fi; }
`;

const guides = GUIDES.map((g) => {
  const file = ['mdx', 'md'].map((ext) => join(GUIDES_DIR, `${g.slug}.${ext}`)).find(existsSync);
  const source = file ? readFileSync(file, 'utf8') : '';
  return { ...g, file, blocks: file ? extractBlocks(source, `guides/${g.slug}`) : [] };
});
const tsFile = (slug: string, b: GuideBlock): string => join(BLOCKS_DIR, `${slug}-${b.line}.ts`);
const cleanups: string[] = [];

function writeLayout(title: string): string {
  const layout = LAYOUTS.find((l) => l.title.includes(title))!;
  const root = mkdtempSync(join(tmpdir(), 'plumego-guide-'));
  for (const [path, body] of Object.entries(layout.files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof body === 'string' ? body : JSON.stringify(body));
  }
  linkPackages(root, layout.links);
  cleanups.push(root);
  return root;
}

function makeSandbox(kind: Sandbox): string {
  if (kind === 'self') return REPO_ROOT;
  if (kind === 'empty') {
    const dir = mkdtempSync(join(tmpdir(), 'plumego-guide-'));
    cleanups.push(dir);
    return dir;
  }
  const root = writeLayout(kind === 'fixture' ? 'src/* folders' : 'cycle');
  if (kind === 'adopted') {
    const init = spawnSync(process.execPath, [BIN, 'init', '--yes'], { cwd: root, encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`init failed in the sandbox: ${init.stderr}`);
  }
  return root;
}

async function runProcess(
  file: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, [...args], { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: e.stdout ?? '', err: e.stderr ?? String(error) };
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const schemaDir = join(REPO_ROOT, 'specs/schemas');
for (const f of readdirSync(schemaDir).filter((n) => n.endsWith('.schema.json')))
  ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, f), 'utf8')) as object, f.replace('.schema.json', ''));

beforeAll(() => {
  rmSync(BLOCKS_DIR, { recursive: true, force: true });
  mkdirSync(BLOCKS_DIR, { recursive: true });
  for (const g of guides)
    for (const b of g.blocks) if (b.action.kind === 'ts') writeFileSync(tsFile(g.slug, b), b.code);
  writeFileSync(
    join(BLOCKS_DIR, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.base.json',
      compilerOptions: { noEmit: true, types: ['node'] },
      include: ['*.ts'],
    }),
  );
});

afterAll(() => {
  for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
});

describe('guide code blocks: the rules', () => {
  it('reads fences, languages and markers, and pairs output blocks with the block above', () => {
    const blocks = extractBlocks(
      '# t\n```ts\nconsole.log(1);\n```\n\n```text output\n1\n```\n```sh exit=1\nnpx plumego check\n```\n```yaml schema=boundary-baseline\nentries: []\n```\n```json no-test="an illustration"\n{}\n```\n',
      'x',
    );
    expect(blocks.map((b) => b.action)).toEqual([
      { kind: 'ts', run: true },
      { kind: 'output' },
      { kind: 'sh', exit: 1 },
      { kind: 'yaml', schema: 'boundary-baseline' },
      { kind: 'skip', reason: 'an illustration' },
    ]);
    expect(outputOf(blocks, 0)).toBe('1\n');
    expect(blocks[0]!.line).toBe(2);
  });

  it('refuses a block with no way to be checked and no reason, an empty reason, an orphan output and an open fence', () => {
    expect(() => classifyBlock('yaml', '', 'g:1')).toThrow(/names its schema/);
    expect(() => classifyBlock('json', '', 'g:1')).toThrow(GuideBlockError);
    expect(() => classifyBlock('', '', 'g:1')).toThrow(/plain/);
    expect(() => classifyBlock('ts', 'no-test=""', 'g:1')).toThrow(/needs a reason/);
    expect(() => classifyBlock('ts', 'no-run=""', 'g:1')).toThrow(/needs a reason/);
    expect(() => classifyBlock('sh', 'exit=one', 'g:1')).toThrow(/number/);
    expect(() => extractBlocks('```text output\nx\n```\n', 'g')).toThrow(/must follow/);
    expect(() => extractBlocks('```ts\nx\n', 'g')).toThrow(/unclosed/);
  });
});

describe('guides', () => {
  it('has a page for every guide in the list, and no page outside it', () => {
    expect(guides.filter((g) => !g.file).map((g) => g.slug)).toEqual([]);
    const files = readdirSync(GUIDES_DIR)
      .map((f) => f.replace(/\.mdx?$/, ''))
      .sort();
    expect(files).toEqual(GUIDES.map((g) => g.slug).sort());
    for (const g of GUIDES) expect(SANDBOX[g.slug], `${g.slug} needs a sandbox kind`).toBeDefined();
  });

  it('typechecks every TypeScript block against the package subpaths', () => {
    const tsc = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(BLOCKS_DIR, 'tsconfig.json')],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    const count = guides.reduce((n, g) => n + g.blocks.filter((b) => b.action.kind === 'ts').length, 0);
    expect(count).toBeGreaterThan(0);
    expect(tsc.stdout.trim().split('\n').filter(Boolean)).toEqual([]);
    expect(tsc.status).toBe(0);
  }, 120_000);

  for (const guide of guides) {
    const skipped = guide.blocks.flatMap((b) =>
      b.action.kind === 'skip' ? [`${guide.slug}:${b.line} (${b.action.reason})`] : [],
    );
    it(`${guide.slug}: runs its blocks in order${skipped.length ? `; not run: ${skipped.join(', ')}` : ''}`, async () => {
      const sandbox = makeSandbox(SANDBOX[guide.slug] ?? 'empty');
      for (const [i, b] of guide.blocks.entries()) {
        const where = `guides/${guide.slug}.mdx:${b.line}`;
        const expected = outputOf(guide.blocks, i);
        if (b.action.kind === 'ts' && b.action.run) {
          const r = await runProcess(
            process.execPath,
            ['--conditions=source', '--import', 'tsx', tsFile(guide.slug, b)],
            REPO_ROOT,
          );
          expect(r.code, `${where}\n${r.err}`).toBe(0);
          if (expected !== undefined) expect(r.out.trimEnd(), where).toBe(expected.trimEnd());
        } else if (b.action.kind === 'sh') {
          const script = `${SHELL_PRELUDE}${b.action.exit === 0 ? 'set -e\n' : ''}${b.code}`;
          const r = await runProcess('sh', ['-c', script], sandbox, { ...process.env, PLUMEGO_BIN: BIN, CI: '' });
          expect(r.code, `${where}: exit ${r.code}\n${r.out}\n${r.err}`).toBe(b.action.exit);
          for (const line of (expected ?? '')
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean))
            expect(`${r.out}${r.err}`, where).toContain(line);
        } else if (b.action.kind === 'yaml') {
          const validate = ajv.getSchema(b.action.schema);
          expect(validate, `${where}: no schema ${b.action.schema}`).toBeDefined();
          const ok = validate!(parse(b.code));
          expect(ok ? [] : validate!.errors, where).toEqual([]);
        }
      }
    }, 120_000);
  }
});
