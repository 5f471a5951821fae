/**
 * Finds facts typed into page sources that must come from the generated data: release versions,
 * tier ids and labels, counts of modules/families/packages, and module names.
 */
export interface LiteralFacts {
  readonly tierIds: readonly string[];
  readonly tierLabels: readonly string[];
  readonly units: readonly string[];
  readonly moduleNames: readonly string[];
}

export interface LiteralHit {
  readonly file: string;
  readonly line: number;
  readonly kind: 'version' | 'tier' | 'count' | 'module';
  readonly text: string;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function findPageLiterals(file: string, source: string, facts: LiteralFacts): LiteralHit[] {
  const units = [
    ...new Set([
      ...facts.units,
      'modules',
      'packages',
      'families',
      'roots',
      'subpackages',
      'tasks',
      'entrypoints',
      'extensions',
    ]),
  ];
  const unitWords = units.map((u) => escape(u).replace(/\\? /g, '\\s+')).join('|');
  const tierWords = [...facts.tierLabels, ...facts.tierIds]
    .map((t) => escape(t))
    .sort((a, b) => b.length - a.length)
    .join('|');
  const rules: { kind: LiteralHit['kind']; pattern: RegExp }[] = [
    { kind: 'version', pattern: /(?<![\w.])v?\d+\.\d+\.\d+(?![\w.])/g },
    { kind: 'count', pattern: new RegExp(`(?<![\\w.$])\\d+\\s+(?:${unitWords})\\b`, 'gi') },
    {
      kind: 'count',
      pattern: new RegExp(`\\b(?:stable roots|primary families|families|modules)\\s*[:(]?\\s*\\d+\\b`, 'gi'),
    },
    // Tier words only as whole words: "Stable (GA)" must not match "stable roots", "beta" must not match "alphabeta".
    { kind: 'tier', pattern: new RegExp(`(?<![\\w-])(?:${tierWords})(?![\\w-])`, 'gi') },
    // A module name as a quoted literal or an x/* path in text is a hand-typed module reference.
    { kind: 'module', pattern: new RegExp(`(['"\`])(?:${facts.moduleNames.map(escape).join('|')})\\1`, 'g') },
    { kind: 'module', pattern: /(?<![\w/.-])x\/[a-z][a-z0-9-]*/g },
  ];
  const hits: LiteralHit[] = [];
  source.split('\n').forEach((text, i) => {
    for (const { kind, pattern } of rules) {
      for (const match of text.matchAll(pattern)) hits.push({ file, line: i + 1, kind, text: match[0] });
    }
  });
  return hits;
}

/**
 * Markdown with its fenced code blocks blanked (line numbers kept). A guide's code blocks are
 * examples that the guides test compiles and runs, so they cannot drift; the literal rule is for prose.
 */
export function blankFences(source: string): string {
  let fence: string | undefined;
  return source
    .split('\n')
    .map((line) => {
      const open = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence === undefined && open) {
        fence = open;
        return line;
      }
      if (fence !== undefined && line.trimStart().startsWith(fence)) {
        fence = undefined;
        return line;
      }
      return fence === undefined ? line : '';
    })
    .join('\n');
}
