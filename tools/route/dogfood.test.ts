import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadControlPlane, type ControlPlane } from '../control-plane/index.ts';
import { evaluateRouting, readRoutingCases } from './routing-accuracy.ts';
import { routeWork } from './route-work.ts';
import { buildRoutingExport } from './routing-export.ts';

// The router over this repository's own specs: the evaluation set is the regression test for routing quality.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HELDOUT_FILE = fileURLToPath(new URL('./routing-heldout.yaml', import.meta.url));
const TUNING_S4_FILE = fileURLToPath(new URL('./routing-tuning-s4.yaml', import.meta.url));
const VALIDATION_R3_FILE = fileURLToPath(new URL('./routing-validation-r3.yaml', import.meta.url));
const TUNING_R4_FILE = fileURLToPath(new URL('./routing-tuning-r4.yaml', import.meta.url));
const TUNING_R8_FILE = fileURLToPath(new URL('./routing-tuning-r8.yaml', import.meta.url));
let plane: ControlPlane;

beforeAll(async () => {
  const load = await loadControlPlane(ROOT);
  if (!load.plane)
    throw new Error(`the repository's specs do not load: ${load.configErrors.map((e) => e.message).join('; ')}`);
  plane = load.plane;
});

describe('routing over this repository', () => {
  it('the evaluation set has at least 60 cases, an untouched part, and names only real modules', () => {
    const cases = readRoutingCases();
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(cases.filter((c) => c.part === 'untouched').length).toBeGreaterThanOrEqual(40);
    expect(cases.filter((c) => !plane.moduleByName.has(c.expect))).toEqual([]);
    expect(new Set(cases.map((c) => c.ask)).size).toBe(cases.length);
  });

  it('reaches top-1 >= 94% on the whole evaluation set', () => {
    // 97/102 after the fifth round (manifests in their users' words); one case of slack.
    const e = evaluateRouting(plane, readRoutingCases());
    expect(e.all.top1 / e.all.total).toBeGreaterThanOrEqual(0.94);
  });

  it('holds its top-1 on the held-out sets written for #22 (before: >= 0.95, the target; after: >= 0.90; s3: >= 0.90)', () => {
    const e = evaluateRouting(plane, readRoutingCases(HELDOUT_FILE));
    const before = e.parts['heldout-before']!;
    const after = e.parts['heldout-after']!;
    const s3 = e.parts['heldout-s3']!;
    expect(before.total).toBeGreaterThanOrEqual(50);
    expect(after.total).toBeGreaterThanOrEqual(20);
    expect(s3.total).toBeGreaterThanOrEqual(30);
    expect(before.top1 / before.total).toBeGreaterThanOrEqual(0.95);
    expect(after.top1 / after.total).toBeGreaterThanOrEqual(0.9);
    expect(s3.top1 / s3.total).toBeGreaterThanOrEqual(0.9);
  });

  it('holds heldout-s4, tuning data since its misses were read, at its score after the eighth round (>= 0.93)', () => {
    // Scored 58/74 untuned, 59/74 after the first round, 66/74 after the second (tuned on its misses),
    // 68/74 after the third, 72/74 after the fifth (manifests) and 71/74 after the seventh; the eighth
    // round's namedNarrowing 1 gives back one case the second round's level 2 won (70/74); one case of slack.
    const s4 = evaluateRouting(plane, readRoutingCases(HELDOUT_FILE)).parts['heldout-s4']!;
    expect(s4.total).toBeGreaterThanOrEqual(50);
    expect(s4.top1 / s4.total).toBeGreaterThanOrEqual(0.93);
  });

  it('holds heldout-s5 at its score after the fifth round (>= 0.84; its misses were read in that round)', () => {
    // Scored 65/94 before the second round, 68/94 after it, 69/94 after the third and 81/94 (0.862) after the
    // fifth, which read its misses to find weak manifests; one case of slack.
    const s5 = evaluateRouting(plane, readRoutingCases(HELDOUT_FILE)).parts['heldout-s5']!;
    expect(s5.total).toBeGreaterThanOrEqual(60);
    expect(s5.top1 / s5.total).toBeGreaterThanOrEqual(0.84);
  });

  it('holds heldout-s6 at its score after the fifth round (>= 0.89; its misses were read)', () => {
    // Scored 68/87 (0.782) before and after the third round (counts only), 79/87 (0.908) after the fifth; one case of slack.
    const s6 = evaluateRouting(plane, readRoutingCases(HELDOUT_FILE)).parts['heldout-s6']!;
    expect(s6.total).toBeGreaterThanOrEqual(80);
    expect(s6.top1 / s6.total).toBeGreaterThanOrEqual(0.89);
  });

  it('holds heldout-s7 at its score after the fifth round (>= 0.94; its misses were read)', () => {
    // Scored as counts only: 63/70 before the fourth round, 64/70 with its code field reverted, 67/70 (0.957)
    // after the fifth round, which read its misses; one case of slack.
    const s7 = evaluateRouting(plane, readRoutingCases(HELDOUT_FILE)).parts['heldout-s7']!;
    expect(s7.total).toBeGreaterThanOrEqual(70);
    expect(s7.top1 / s7.total).toBeGreaterThanOrEqual(0.94);
  });

  // Parts written by a separate helper before a round and scored first as counts only (their counts before and
  // after are in routing-heldout.yaml's header), each held at its score after that round less one case.
  const untuned: readonly { part: string; total: number; floor: number }[] = [
    { part: 'heldout-s8', total: 80, floor: 0.9 },
    { part: 'heldout-s9', total: 112, floor: 0.91 },
    { part: 'heldout-s10', total: 120, floor: 0.925 },
    { part: 'heldout-s11', total: 120, floor: 0.91 },
    { part: 'heldout-s12', total: 120, floor: 0.94 },
    // The eighth round's parts: long symptom-style descriptions, mostly harder than the parts above (100, 100, 105
    // and 111 of 120 before the round). 102, 104, 106 and 112 after it, less one case.
    { part: 'heldout-s13', total: 120, floor: 0.84 },
    { part: 'heldout-s14', total: 120, floor: 0.858 },
    { part: 'heldout-s15', total: 120, floor: 0.874 },
    { part: 'heldout-s17', total: 120, floor: 0.924 },
  ];
  let heldout: ReturnType<typeof evaluateRouting> | undefined;
  for (const { part, total, floor } of untuned) {
    it(`holds ${part} at its untuned score less one case (>= ${floor})`, () => {
      heldout ??= evaluateRouting(plane, readRoutingCases(HELDOUT_FILE));
      const score = heldout.parts[part]!;
      expect(score.total).toBeGreaterThanOrEqual(total);
      expect(score.top1 / score.total).toBeGreaterThanOrEqual(floor);
    });
  }

  it("holds the third round's own validation cases at their score after the fifth round (>= 0.90)", () => {
    // 49/60 before the third round's rules, 51/60 after, 55/60 (0.917) after the fifth; one case of slack.
    const e = evaluateRouting(plane, readRoutingCases(VALIDATION_R3_FILE));
    expect(e.all.total).toBeGreaterThanOrEqual(60);
    expect(e.all.top1 / e.all.total).toBeGreaterThanOrEqual(0.9);
  });

  it('holds its top-1 on the tuning cases of the session that wrote heldout-s4 (>= 0.90: 55/60 less one case; tuned on, so optimistic)', () => {
    const cases = readRoutingCases(TUNING_S4_FILE);
    const areas = new Set(
      plane.taskRouting.routing_rules.flatMap((r) => (r.target.modules ? [] : (r.target.paths ?? []))),
    );
    expect(cases.filter((c) => !plane.moduleByName.has(c.expect) && !areas.has(c.expect))).toEqual([]);
    const e = evaluateRouting(plane, cases);
    expect(e.all.total).toBeGreaterThanOrEqual(50);
    expect(e.all.top1 / e.all.total).toBeGreaterThanOrEqual(0.9);
  });

  it("holds the fourth round's tuning cases at their score (>= 0.95: 63/65 after the fifth round less one case; their misses were read)", () => {
    const e = evaluateRouting(plane, readRoutingCases(TUNING_R4_FILE));
    expect(e.all.total).toBeGreaterThanOrEqual(60);
    expect(e.all.top1 / e.all.total).toBeGreaterThanOrEqual(0.95);
  });

  it("holds the eighth round's tuning cases at their score less one case (>= 0.849: 102/120; their misses were read)", () => {
    const e = evaluateRouting(plane, readRoutingCases(TUNING_R8_FILE));
    expect(e.all.total).toBeGreaterThanOrEqual(120);
    expect(e.all.top1 / e.all.total).toBeGreaterThanOrEqual(0.849);
  });

  it('lands task-card work on the task area, not on a module', () => {
    const r = routeWork(plane, 'write a card for the next milestone with its acceptance criteria');
    expect(r.kind === 'area' && r.rule.paths).toEqual(['tasks']);
  });

  it('lands discovery work on x/gateway/discovery, not just x/gateway', () => {
    const a = routeWork(plane, 'discover upstream instances from a registry');
    expect(a.kind === 'answer' && a.module.name).toBe('x/gateway/discovery');
  });

  it('every answer and refusal matches the route-result JSON Schema', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../specs/schemas/route-result.schema.json', import.meta.url), 'utf8'),
    ) as object;
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    for (const ask of [...readRoutingCases().map((c) => c.ask), '', 'blorp the frobnicator']) {
      validate(JSON.parse(JSON.stringify(routeWork(plane, ask))));
      expect({ ask, errors: validate.errors ?? [] }).toEqual({ ask, errors: [] });
    }
  });

  it('exports a routing table that matches its JSON Schema', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../specs/schemas/routing-export.schema.json', import.meta.url), 'utf8'),
    ) as object;
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    validate(JSON.parse(JSON.stringify(buildRoutingExport(plane))));
    expect(validate.errors ?? []).toEqual([]);
  });
});
