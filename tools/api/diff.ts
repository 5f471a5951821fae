import { compareText } from './model.ts';

/** The comparable part of an entry: a parsed snapshot entry and a fresh ApiEntry both fit. */
export interface DiffableEntry {
  readonly name: string;
  readonly kinds: readonly string[];
  readonly lines: readonly string[];
}

export type ChangeKind = 'added' | 'removed' | 'changed' | 'extended';
export type Severity = 'minor' | 'breaking';

export interface ApiChange {
  readonly name: string;
  readonly change: ChangeKind;
  /** added and extended are minor; removed and changed are breaking. */
  readonly severity: Severity;
  /** Signature lines that disappeared / appeared (for messages and `plumego api diff`). */
  readonly before: readonly string[];
  readonly after: readonly string[];
}

export interface ApiDiff {
  readonly changes: readonly ApiChange[];
  /** The strongest severity present, or 'none'. */
  readonly level: 'none' | Severity;
}

/**
 * Classifies the difference between a snapshot (`before`) and the current code (`after`):
 * an added export is minor; a removed one is breaking; a changed signature is breaking unless it
 * only grew in a way no caller can notice (see `isExtension`).
 */
export function diffApi(before: readonly DiffableEntry[], after: readonly DiffableEntry[]): ApiDiff {
  const old = new Map(before.map((e) => [e.name, e]));
  const now = new Map(after.map((e) => [e.name, e]));
  const changes: ApiChange[] = [];
  for (const [name, e] of now) {
    const prev = old.get(name);
    if (!prev) changes.push({ name, change: 'added', severity: 'minor', before: [], after: e.lines });
    else if (!sameEntry(prev, e)) {
      const removedLines = prev.lines.filter((l) => !e.lines.includes(l));
      const addedLines = e.lines.filter((l) => !prev.lines.includes(l));
      const extended = isExtension(prev, e, removedLines, addedLines);
      changes.push({
        name,
        change: extended ? 'extended' : 'changed',
        severity: extended ? 'minor' : 'breaking',
        before: removedLines,
        after: addedLines,
      });
    }
  }
  for (const [name, e] of old) {
    if (!now.has(name)) changes.push({ name, change: 'removed', severity: 'breaking', before: e.lines, after: [] });
  }
  changes.sort((a, b) => compareText(a.name, b.name));
  const level = changes.some((c) => c.severity === 'breaking') ? 'breaking' : changes.length ? 'minor' : 'none';
  return { changes, level };
}

function sameEntry(a: DiffableEntry, b: DiffableEntry): boolean {
  return (
    a.kinds.join() === b.kinds.join() && a.lines.length === b.lines.length && a.lines.every((l, i) => l === b.lines[i])
  );
}

/*
 * Only growth that cannot break a caller counts as minor: new members of a class, enum or namespace,
 * new overloads of a function, and new optional members of an interface (a required one breaks every
 * implementer). Anything removed or rewritten is breaking — conservative on purpose: a false
 * "breaking" costs one recorded api_changes entry, a false "minor" costs users.
 */
function isExtension(
  prev: DiffableEntry,
  now: DiffableEntry,
  removedLines: readonly string[],
  addedLines: readonly string[],
): boolean {
  if (removedLines.length > 0 || addedLines.length === 0 || prev.kinds.join() !== now.kinds.join()) return false;
  const kinds = new Set(now.kinds);
  if (kinds.has('interface')) return kinds.size === 1 && addedLines.every(isOptionalMember);
  if (kinds.has('type') || kinds.has('const') || kinds.has('let') || kinds.has('var') || kinds.has('default'))
    return false;
  return true;
}

function isOptionalMember(line: string): boolean {
  return /^ {2}(readonly )?[A-Za-z_$][\w$]*\?: /.test(line) || /^ {2}[A-Za-z_$][\w$]*\?\(/.test(line);
}
