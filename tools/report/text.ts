import type { Violation } from '../control-plane/index.ts';

export interface TextReportOptions {
  /** Lines printed after the violations (summary, notes). */
  readonly footer?: readonly string[];
}

/** Groups violations by check and rule; each rule's rationale is printed once. */
export function renderText(violations: readonly Violation[], options: TextReportOptions = {}): string {
  const groups = new Map<string, Violation[]>();
  for (const v of sortViolations(violations)) {
    const key = `${v.check}/${v.rule}`;
    const list = groups.get(key) ?? [];
    list.push(v);
    groups.set(key, list);
  }
  const lines: string[] = [];
  for (const [key, list] of groups) {
    const first = list[0]!;
    lines.push(`${first.severity === 'error' ? '✖' : '⚠'} ${key} (${list.length})`);
    if (first.rationale) lines.push(`  why: ${first.rationale}`);
    // Rules from the specs carry one fix for all their violations: print it once, like the rationale.
    const sharedFix = list.every((v) => v.fix === first.fix) ? first.fix : undefined;
    if (sharedFix) lines.push(`  fix: ${sharedFix}`);
    for (const v of list) {
      lines.push(`  ${v.file}:${v.line}:${v.column}  ${v.message}`);
      if (v.fix && !sharedFix) lines.push(`    fix: ${v.fix}`);
    }
    lines.push('');
  }
  lines.push(...(options.footer ?? []));
  return `${lines.join('\n')}\n`;
}

/** Stable order: file, line, column, rule — so outputs diff cleanly. */
export function sortViolations(violations: readonly Violation[]): Violation[] {
  return [...violations].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      a.rule.localeCompare(b.rule) ||
      a.message.localeCompare(b.message),
  );
}
