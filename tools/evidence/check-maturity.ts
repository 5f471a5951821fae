import type { ControlPlane } from '../control-plane/index.ts';
import type { Violation } from '../control-plane/violation.ts';
import { collectEvidence, type ModuleEvidence } from './collect-evidence.ts';

const CHECK = 'maturity-evidence';

const RULES: Readonly<Record<string, { rule: string; rationale: string; fix: (e: ModuleEvidence) => string }>> = {
  snapshot: {
    rule: 'snapshot-missing',
    rationale: 'A beta or ga tier promises a stable surface; without an API snapshot no change to it is ever visible in review.',
    fix: (e) => `Run \`plumego api snapshot --module ${e.module}\` and commit ${e.snapshot.path}.`,
  },
  tests: {
    rule: 'tests-missing',
    rationale: 'A tier is a claim about behaviour; with no test file exercising the module nothing backs the claim.',
    fix: (e) => `Add a *.test.ts beside the code in ${e.path}/, or lower the tier to experimental.`,
  },
  primer_question: {
    rule: 'primer-missing',
    rationale: 'The primer page is how a reader finds out whether this module is the right one; without its question the generated page answers nothing.',
    fix: () => 'Add primer_question to module.yaml: what a reader\'s question is "mainly about" when this primer is the right next read.',
  },
};

/**
 * Maturity evidence check: an implemented beta or ga library module has an API snapshot, tests and a
 * primer. promoted_in is evidence too, but the manifests check already requires and validates it.
 * A beta/ga module that is declared but not implemented is not a violation: `plumego status` shows
 * it as "declared, not implemented", and its evidence becomes required the moment its entry exists.
 */
export async function checkMaturityEvidence(plane: ControlPlane): Promise<Violation[]> {
  return findMaturityViolations(plane, collectEvidence(plane));
}

export function findMaturityViolations(plane: ControlPlane, evidence: readonly ModuleEvidence[]): Violation[] {
  const out: Violation[] = [];
  for (const e of evidence) {
    const m = plane.moduleByName.get(e.module);
    if (!m) continue;
    for (const piece of e.missing) {
      const spec = RULES[piece];
      if (!spec) continue;
      const pos = plane.locate(m.manifestFile, ['status']);
      out.push({ check: CHECK, rule: spec.rule, severity: 'error', file: pos.file, line: pos.line, column: pos.column,
        message: `${e.tier} module '${e.module}' lacks its ${describe(piece, e)}`, rationale: spec.rationale, fix: spec.fix(e), from: e.module });
    }
  }
  return out;
}

function describe(piece: string, e: ModuleEvidence): string {
  if (piece === 'snapshot') return `API snapshot (${e.snapshot.path})`;
  if (piece === 'tests') return 'tests (no *.test.ts in the module and none importing it)';
  return 'primer (module.yaml has no primer_question)';
}
