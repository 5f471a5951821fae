import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BaselineEntry, ConfigError, type Violation } from '../control-plane/index.ts';
import {
  applyBaseline,
  buildBaseline,
  PLACEHOLDER_OWNER,
  readBaseline,
  renderBaseline,
  type Baseline,
} from './baseline.ts';

const violation = (rule: string, file: string, to: string, line = 1): Violation => ({
  check: 'boundaries',
  rule,
  severity: 'error',
  file,
  line,
  column: 1,
  message: `${file} → ${to}`,
  to,
});

const baselineOf = (entries: BaselineEntry[]): Baseline => ({
  file: 'specs/boundary-baseline.yaml',
  entries,
  locate: (i) => ({ file: 'specs/boundary-baseline.yaml', line: i + 2, column: 5 }),
});
const entry = (rule: string, file: string, to: string, expires?: string): BaselineEntry => ({
  rule,
  file,
  to,
  reason: 'migration in progress',
  owner: '@team',
  ...(expires ? { expires } : {}),
});

describe('baseline ratchet', () => {
  const TODAY = '2026-11-30';

  it('freezes matching violations and keeps new ones', () => {
    const found = [
      violation('default-deny', 'a.ts', 'router', 1),
      violation('default-deny', 'a.ts', 'router', 9),
      violation('maturity', 'b.ts', 'x/ai'),
    ];
    const out = applyBaseline(found, baselineOf([entry('default-deny', 'a.ts', 'router')]), TODAY);
    expect(out.suppressed).toBe(2);
    expect(out.violations.map((v) => v.rule)).toEqual(['maturity']);
  });

  it('reports a stale entry whose violation was fixed, at the entry', () => {
    const out = applyBaseline([], baselineOf([entry('default-deny', 'a.ts', 'router')]), TODAY);
    expect(out.violations).toMatchObject([
      { rule: 'baseline-stale', file: 'specs/boundary-baseline.yaml', line: 2, severity: 'error' },
    ]);
  });

  it('fails on an expired entry but not on one expiring today', () => {
    const found = [violation('default-deny', 'a.ts', 'router'), violation('maturity', 'b.ts', 'x/ai')];
    const out = applyBaseline(
      found,
      baselineOf([entry('default-deny', 'a.ts', 'router', '2026-11-29'), entry('maturity', 'b.ts', 'x/ai', TODAY)]),
      TODAY,
    );
    expect(out.violations.map((v) => `${v.rule}@${v.line}`)).toEqual(['baseline-expired@2']);
  });

  it('ignores violations of other checks', () => {
    const other = { ...violation('default-deny', 'a.ts', 'router'), check: 'manifests' };
    expect(applyBaseline([other], baselineOf([]), TODAY).violations).toEqual([other]);
  });

  it('--update-baseline keeps reasons of surviving entries and adds placeholders for new ones', () => {
    const kept = entry('default-deny', 'a.ts', 'router', '2027-01-01');
    const entries = buildBaseline(
      [
        violation('maturity', 'b.ts', 'x/ai'),
        violation('default-deny', 'a.ts', 'router'),
        violation('default-deny', 'a.ts', 'router', 5),
      ],
      [kept, entry('maturity', 'gone.ts', 'x')],
    );
    expect(entries).toEqual([
      kept,
      { rule: 'maturity', file: 'b.ts', to: 'x/ai', reason: expect.any(String), owner: PLACEHOLDER_OWNER },
    ]);
    expect(renderBaseline([])).toContain('entries: []');
  });

  describe('reading a baseline file', () => {
    const withFile = async (text: string | undefined, use: (root: string) => Promise<void>): Promise<void> => {
      const root = mkdtempSync(join(tmpdir(), 'plumego-baseline-'));
      try {
        if (text !== undefined) writeFileSync(join(root, 'b.yaml'), text);
        await use(root);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    };

    it('a missing file is an empty baseline', () =>
      withFile(undefined, async (root) => {
        expect((await readBaseline(root, 'b.yaml')).entries).toEqual([]);
      }));

    it('round-trips what --update-baseline writes, with entry positions', () =>
      withFile(renderBaseline([entry('maturity', 'b.ts', 'x/ai')]), async (root) => {
        const b = await readBaseline(root, 'b.yaml');
        expect(b.entries).toEqual([entry('maturity', 'b.ts', 'x/ai')]);
        expect(b.locate(0).line).toBeGreaterThan(2);
      }));

    it.each([
      ['malformed YAML', 'entries: [\n', 'PLUMEGO_ERR_YAML_SYNTAX'],
      [
        'an entry without a reason',
        'entries:\n  - { rule: maturity, file: a.ts, to: x, owner: me }\n',
        'PLUMEGO_ERR_BASELINE_INVALID',
      ],
      [
        'a bad expiry date',
        'entries:\n  - { rule: maturity, file: a.ts, to: x, owner: me, reason: because, expires: soon }\n',
        'PLUMEGO_ERR_BASELINE_INVALID',
      ],
    ])('%s is a configuration error with its location', (_title, text, code) =>
      withFile(text, async (root) => {
        const error = await readBaseline(root, 'b.yaml').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).code).toBe(code);
        expect((error as ConfigError).file).toBe('b.yaml');
      }),
    );
  });
});
