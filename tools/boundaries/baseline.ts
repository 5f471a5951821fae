/**
 * The ratchet: known violations frozen in a baseline file with a reason, an owner and an optional
 * expiry. A new violation fails; a frozen one is suppressed; an entry that matches nothing (fixed)
 * or is past its expiry fails, so the baseline can only shrink.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  type BaselineEntry,
  ConfigError,
  readValidatedSpec,
  type SourcePos,
  type Violation,
} from '../control-plane/index.ts';
import { CHECK_ID } from './find-violations.ts';
import { GATE_RULES } from './rulebook.ts';

export interface Baseline {
  readonly file: string;
  readonly entries: readonly BaselineEntry[];
  /** Position of entry `index` in the baseline file. */
  locate(index: number): SourcePos;
}

/** Reads and validates a baseline file; a missing file is an empty baseline, anything unreadable or invalid a ConfigError. */
export async function readBaseline(root: string, file: string): Promise<Baseline> {
  if (!existsSync(`${root}/${file}`)) return { file, entries: [], locate: () => ({ file, line: 0, column: 0 }) };
  // Through the spec cache: the loader has usually just read and validated the same file.
  const { yaml, problems } = await readValidatedSpec(root, file, 'baseline', CHECK_ID);
  const first = problems[0];
  if (first) {
    throw new ConfigError(
      'PLUMEGO_ERR_BASELINE_INVALID',
      `${first.file}:${first.line}:${first.column}: invalid baseline: ${first.message}`,
      first,
      'Each entry needs rule, file, to, reason (5+ characters), owner and optionally expires (YYYY-MM-DD); see specs/schemas/boundary-baseline.schema.json.',
    );
  }
  const entries = (yaml.data as { entries?: BaselineEntry[] } | null)?.entries ?? [];
  return { file, entries, locate: (index) => yaml.locate(['entries', index]) };
}

export function getBaselineKey(v: { rule: string; file: string; to?: string | undefined }): string {
  return `${v.rule}\u0000${v.file}\u0000${v.to ?? ''}`;
}

export interface BaselineOutcome {
  /** Violations the baseline does not cover, plus one per stale or expired entry. */
  readonly violations: Violation[];
  /** How many violations the baseline froze. */
  readonly suppressed: number;
}

/** Applies the baseline to the boundary violations; `today` is YYYY-MM-DD. */
export function applyBaseline(violations: readonly Violation[], baseline: Baseline, today: string): BaselineOutcome {
  const out: Violation[] = [];
  const matched = new Set<number>();
  let suppressed = 0;
  const byKey = new Map<string, number>();
  baseline.entries.forEach((e, i) => byKey.set(getBaselineKey(e), i));
  for (const v of violations) {
    const index = v.check === CHECK_ID ? byKey.get(getBaselineKey(v)) : undefined;
    if (index === undefined) {
      out.push(v);
      continue;
    }
    matched.add(index);
    suppressed += 1;
  }
  baseline.entries.forEach((entry, index) => {
    const at = baseline.locate(index);
    const what = `${entry.rule} in ${entry.file} → ${entry.to}`;
    if (!matched.has(index)) {
      out.push(
        gateViolation(
          'baseline-stale',
          at,
          `baseline entry ${what} matches no violation any more (fixed?); remove it`,
          entry,
        ),
      );
    } else if (entry.expires && entry.expires < today) {
      out.push(
        gateViolation(
          'baseline-expired',
          at,
          `baseline entry ${what} expired on ${entry.expires} (owner ${entry.owner}: ${entry.reason})`,
          entry,
        ),
      );
    }
  });
  return { violations: out, suppressed };
}

function gateViolation(rule: string, at: SourcePos, message: string, entry: BaselineEntry): Violation {
  const r = GATE_RULES[rule]!;
  return {
    check: CHECK_ID,
    rule,
    severity: r.severity,
    file: at.file,
    line: at.line,
    column: at.column,
    message,
    rationale: r.rationale,
    fix: r.fix,
    to: entry.to,
  };
}

export const PLACEHOLDER_REASON = 'Frozen by plumego check --update-baseline; replace with the reason.';
export const PLACEHOLDER_OWNER = 'unassigned';

/** The baseline that freezes exactly `violations`, keeping reason, owner and expiry of entries that still match. */
export function buildBaseline(violations: readonly Violation[], previous: readonly BaselineEntry[]): BaselineEntry[] {
  const kept = new Map(previous.map((e) => [getBaselineKey(e), e]));
  const entries = new Map<string, BaselineEntry>();
  for (const v of violations) {
    if (v.check !== CHECK_ID || v.rule === 'baseline-stale' || v.rule === 'baseline-expired') continue;
    const key = getBaselineKey(v);
    if (entries.has(key)) continue;
    const old = kept.get(key);
    entries.set(
      key,
      old ?? { rule: v.rule, file: v.file, to: v.to ?? '', reason: PLACEHOLDER_REASON, owner: PLACEHOLDER_OWNER },
    );
  }
  return [...entries.values()].sort(
    (a, b) => a.file.localeCompare(b.file) || a.rule.localeCompare(b.rule) || a.to.localeCompare(b.to),
  );
}

export function renderBaseline(entries: readonly BaselineEntry[]): string {
  const header = [
    '# Frozen boundary violations (ratchet), written by plumego check --update-baseline.',
    '# Each entry needs a real reason and owner; a fixed violation makes its entry stale, which fails the gate.',
  ].join('\n');
  if (entries.length === 0) return `${header}\nentries: []\n`;
  // Loaded here only: a gate run that writes no baseline never needs the YAML writer.
  const { stringify } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return `${header}\n${stringify({ entries: entries.map((e) => ({ ...e })) })}`;
}

export function writeBaseline(root: string, file: string, entries: readonly BaselineEntry[]): void {
  writeFileSync(`${root}/${file}`, renderBaseline(entries));
}
