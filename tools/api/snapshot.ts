import { compareText, type ApiEntry, type ApiKind } from './model.ts';

/*
 * Snapshot format: one Markdown file beside the module's code (`<module path>/api.md`). Beside the
 * code because an API change and its snapshot then land in the same directory of the same diff, under
 * the same CODEOWNERS entry, and a reviewer sees both at once; Markdown because GitHub renders it and
 * every export is a heading a link can point at. The layout is line-oriented so that `git diff` of a
 * snapshot reads as an API diff: one `##` section per export, its signature in a ts block.
 */

export const SNAPSHOT_FILE = 'api.md';
const FENCE = '```';

/** The first line of every snapshot; the check also uses it to recognise a snapshot at all. */
export function getSnapshotMarker(entry: string): string {
  return `<!-- generated from ${entry} by \`plumego api snapshot\` — do not edit -->`;
}

/** Repository-relative snapshot path of a module directory (`framework` → `framework/api.md`). */
export function getSnapshotPath(modulePath: string): string {
  return `${modulePath}/${SNAPSHOT_FILE}`;
}

export interface SnapshotSubject {
  /** Module name (`router`, `plumego` for the facade). */
  readonly module: string;
  /** How callers import it (`plumego/router`), when it is a library module. */
  readonly specifier?: string;
  /** Repository-relative entry file. */
  readonly entry: string;
  readonly entries: readonly ApiEntry[];
}

/** Renders a snapshot. Deterministic: entries and kinds are sorted, no dates, no absolute paths. */
export function renderSnapshot(subject: SnapshotSubject): string {
  const counts = new Map<ApiKind, number>();
  for (const e of subject.entries) for (const k of e.kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  const summary = [...counts]
    .sort(([a], [b]) => compareText(a, b))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const out = [
    getSnapshotMarker(subject.entry),
    `# API snapshot: \`${subject.specifier ?? subject.module}\``,
    '',
    `${subject.entries.length} exports of \`${subject.entry}\`${summary ? ` (${summary})` : ''}. Regenerate with`,
    `\`plumego api snapshot --module ${subject.module}\`; \`plumego check\` fails while this file is stale.`,
  ];
  for (const e of [...subject.entries].sort((a, b) => compareText(a.name, b.name))) {
    out.push('', `## ${e.name} (${e.kinds.join(', ')})`, '', `${FENCE}ts`, ...e.lines, FENCE);
  }
  return `${out.join('\n')}\n`;
}

/** A parsed snapshot entry, with the 1-based line of its heading (for violations). */
export interface SnapshotEntry {
  readonly name: string;
  readonly kinds: readonly string[];
  readonly lines: readonly string[];
  readonly line: number;
}

export type ParsedSnapshot =
  | { readonly ok: true; readonly entries: readonly SnapshotEntry[] }
  | { readonly ok: false; readonly line: number; readonly message: string };

const HEADING = /^## (\S+) \(([a-z]+(?:, [a-z]+)*)\)$/;

/**
 * Reads a snapshot back. Only the marker, the `##` headings and the ts blocks carry meaning; a file a
 * person edited into another shape is reported with the line where it stops making sense.
 */
export function parseSnapshot(text: string): ParsedSnapshot {
  const lines = text.split('\n');
  if (!lines[0]?.startsWith('<!-- generated from ')) {
    return { ok: false, line: 1, message: 'the first line is not the "generated from … — do not edit" marker' };
  }
  const entries: SnapshotEntry[] = [];
  const names = new Set<string>();
  let i = 1;
  while (i < lines.length && !lines[i]!.startsWith('## ')) i++;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const heading = HEADING.exec(line);
    if (!heading)
      return { ok: false, line: i + 1, message: `expected an "## <export> (<kind>)" heading, found "${clip(line)}"` };
    const at = i + 1;
    i++;
    while (i < lines.length && lines[i]!.trim() === '') i++;
    if (lines[i] !== `${FENCE}ts`)
      return { ok: false, line: i + 1, message: `expected a ${FENCE}ts block after the heading of ${heading[1]}` };
    const body: string[] = [];
    i++;
    while (i < lines.length && lines[i] !== FENCE) body.push(lines[i++]!);
    if (i >= lines.length) return { ok: false, line: at, message: `the ts block of ${heading[1]} is never closed` };
    i++;
    if (names.has(heading[1]!)) return { ok: false, line: at, message: `export ${heading[1]} appears twice` };
    names.add(heading[1]!);
    entries.push({ name: heading[1]!, kinds: heading[2]!.split(', '), lines: body, line: at });
  }
  return { ok: true, entries };
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
