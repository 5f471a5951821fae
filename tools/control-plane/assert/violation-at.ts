import type { ControlPlane } from '../model.ts';
import type { Violation } from '../violation.ts';

export interface Finding {
  readonly rule: string;
  readonly file: string;
  /** YAML path of the offending node; empty for the whole file. */
  readonly path?: readonly (string | number)[];
  readonly message: string;
  readonly fix: string;
  readonly rationale?: string;
  readonly severity?: 'error' | 'warn';
}

/** Turns a finding into a positioned violation of the given check. */
export function violationAt(plane: ControlPlane, check: string, finding: Finding): Violation {
  const at = plane.locate(finding.file, finding.path ?? []);
  return {
    check,
    rule: finding.rule,
    severity: finding.severity ?? 'error',
    file: at.file,
    line: at.line,
    column: at.column,
    message: finding.message,
    fix: finding.fix,
    ...(finding.rationale ? { rationale: finding.rationale } : {}),
  };
}

/** Names that appear more than once, in first-seen order. */
export function findDuplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}
