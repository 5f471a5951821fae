/**
 * Property: whatever YAML value any manifest field holds, `plumego check` answers with violations
 * or located configuration errors — never "internal error" — and `--format json` is always a
 * document. Values come from fast-check's JSON values plus YAML-only spellings (tags, aliases,
 * special floats, multi-documents).
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { validFixture, writeFixture } from '../control-plane/testing/fixture-repo.ts';
import { runCli } from './testing/run-cli.ts';

const ROUTER = 'framework/router/module.yaml';
const FIELDS = [
  'name',
  'path',
  'entry',
  'layer',
  'status',
  'promoted_in',
  'parent',
  'owner',
  'risk',
  'summary',
  'primer_question',
  'responsibilities',
  'non_goals',
  'allowed_imports',
  'forbidden_imports',
  'public_entrypoints',
  'test_commands',
  'review_checklist',
  'agent_hints',
  'stop_conditions',
  'landing_zones',
  'doc_paths',
  'task_affinity',
  'api_changes',
  'unknown_key',
];
const YAML_ONLY = [
  '.nan',
  '.inf',
  '-.inf',
  '~',
  '!!binary aGVsbG8=',
  '*undefined',
  '&x [*x]',
  '!!set {a, b}',
  '2026-12-06',
  '0x1F',
  '"\\u0000"',
  '[[[[]]]]',
  '{? [a]: b}',
  '|\n  block text',
  "'quoted'",
  '!custom tag',
];

const value = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => stringify(v, { lineWidth: 0 }).trimEnd()),
  fc.constantFrom(...YAML_ONLY),
);
/** A field name, an allowed_imports sub-key or a nested path, with a value written as YAML. */
const mutation = fc.record({
  field: fc.constantFrom(...FIELDS),
  nested: fc.constantFrom(undefined, 'modules', 'packages', 'lower_tier'),
  value,
});

function applyMutation(
  base: Record<string, unknown>,
  m: { field: string; nested: string | undefined; value: string },
): string {
  const copy = structuredClone(base);
  delete copy[m.field];
  const head = stringify(copy);
  if (m.field === 'allowed_imports' && m.nested) {
    return `${head}allowed_imports:\n  modules: []\n  packages: []\n  ${m.nested}: ${m.value.includes('\n') ? m.value.replace(/\n/g, '\n    ') : m.value}\n`.replace(
      /  (modules|packages): \[\]\n(?=[\s\S]*  \1:)/,
      '',
    );
  }
  return `${head}${m.field}: ${m.value.includes('\n') ? m.value.replace(/\n/g, '\n  ') : m.value}\n`;
}

describe('plumego check on random manifest values', () => {
  const files = validFixture();
  const base = files[ROUTER] as Record<string, unknown>;
  const { root, cleanup } = writeFixture(files);
  afterAll(cleanup);

  it('never answers internal error, always exits 0, 1 or 2, and --format json is always JSON', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        writeFileSync(`${root}/${ROUTER}`, applyMutation(base, m));
        const run = await runCli(root, 'check', '--format', 'json');
        expect(run.err).not.toMatch(/internal error/);
        expect([0, 1, 2]).toContain(run.code);
        const report = JSON.parse(run.out) as { violations: unknown[]; configErrors?: unknown[] };
        if (run.code === 2) expect(report.configErrors?.length).toBeGreaterThan(0);
      }),
      { numRuns: 120, seed: 20261206 },
    );
  }, 60_000);
});
