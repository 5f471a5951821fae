/**
 * Specs → a routing index: for every module, the words of each kind of spec text that describes it
 * (name, primer question, taxonomy, summary, responsibilities, task entries, hints) and, separately,
 * the words of its non-goals. Built once per plane; scoring reads it many times.
 */
import type { ControlPlane, Module, TaskEntry } from '../control-plane/index.ts';
import { getTerms, type Lexicon } from './tokenise.ts';

/** The part of the control plane routing reads; tests pass small fixture planes of this shape. */
export type RoutingPlane = Pick<ControlPlane, 'modules' | 'taskRouting' | 'taxonomy'> &
  Partial<Pick<ControlPlane, 'errorCodes'>> & {
    /**
     * Each module's README prose by module name, code blocks and inline code removed (see module-docs.ts):
     * the module's own account of what it does, in the words its users read. Absent: not used.
     */
    readonly readmes?: Readonly<Record<string, string>>;
  };

export type FieldKind =
  | 'name'
  | 'primer'
  | 'taxonomy'
  | 'summary'
  | 'responsibility'
  | 'task'
  | 'shared-task'
  | 'folder'
  | 'entrypoint'
  | 'error-code'
  | 'readme';

/**
 * Kinds of text beside the manifest's own prose: what the module exports, the error codes it registers
 * and its README. They are long and repetitive, so they are counted apart (see `apartIdf`) and form no phrases.
 */
export const APART_KINDS: ReadonlySet<FieldKind> = new Set<FieldKind>(['entrypoint', 'error-code', 'readme']);

export interface IndexedText {
  readonly kind: FieldKind;
  readonly text: string;
  readonly terms: ReadonlySet<string>;
}

export interface IndexedNonGoal {
  readonly text: string;
  readonly terms: ReadonlySet<string>;
  /** Modules the non-goal names as the real owner, e.g. "(x/gateway/discovery owns that)". */
  readonly refersTo: readonly string[];
}

export interface ModuleDoc {
  readonly module: Module;
  /** Term → the texts of this module that contain it. */
  readonly termTexts: ReadonlyMap<string, readonly IndexedText[]>;
  /** Adjacent term pairs ("request id") of the module's positive texts: a phrase match is stronger evidence than two words. */
  readonly pairs: ReadonlySet<string>;
  readonly nonGoals: readonly IndexedNonGoal[];
  /** The family root for subordinate modules (x/gateway for x/gateway/discovery). */
  readonly parent?: string;
  /** For a subordinate module: the taxonomy's "when" for it. */
  readonly when?: string;
  /** For a family root: the taxonomy's "go narrower when" and its subordinate modules. */
  readonly narrowerWhen?: string;
  readonly subordinates: readonly string[];
  /**
   * For a family root: its subordinate modules whose last name segment is one word, each with that term
   * and whether the family's "go narrower when" names it ("clearly cache-specific" names x/data/cache).
   */
  readonly namedSubordinates: readonly {
    readonly name: string;
    readonly term: string;
    readonly inCondition: boolean;
  }[];

  /**
   * For an umbrella - a module that declares no public entrypoint and no import, so it holds no code of
   * its own (tools) - the modules nested in its folder, which own the code it summarises.
   */
  readonly nested: readonly string[];

  /** For a family root: subordinate folders that are not modules, with their "when" terms. */
  readonly folders: readonly { readonly name: string; readonly when: string; readonly terms: ReadonlySet<string> }[];
}

export interface TaskDoc {
  readonly key: string;
  readonly entry: TaskEntry;
  readonly terms: ReadonlySet<string>;
}

export interface RuleDoc {
  readonly id: string;
  readonly workType: string;
  readonly why: string;
  readonly terms: ReadonlySet<string>;
  /** Terms of the rule's start_here, the name of the area it points to ("Reference App", "Repository Boundaries"). */
  readonly nameTerms: ReadonlySet<string>;
  /**
   * Of those, the terms some module claims in its name, primer or taxonomy entry in a text that does not
   * name the area as a whole: "task cards" in the control plane's primer (it loads them) is a mention of
   * the area, not a claim on "card"; "credit card numbers" would be a claim.
   */
  readonly claimedNameTerms: ReadonlySet<string>;
  readonly targets: readonly string[];
}

export interface RoutingIndex {
  readonly docs: readonly ModuleDoc[];
  readonly byName: ReadonlyMap<string, ModuleDoc>;
  /** Inverse document frequency over the modules' positive prose texts (a word only in apart fields: over all). */
  readonly idf: ReadonlyMap<string, number>;
  /** Inverse document frequency over every positive text, apart fields included: the rarity of an apart-field hit. */
  readonly apartIdf: ReadonlyMap<string, number>;
  /** Terms some module claims in its name, primer question or taxonomy entry. */
  readonly definingTerms: ReadonlySet<string>;
  readonly tasks: readonly TaskDoc[];
  readonly rules: readonly RuleDoc[];
  readonly lexicon: Lexicon;
}

/**
 * The README paragraph that uses a term: what an explanation quotes, rather than the whole README.
 * Looked up only for a word the README decided, so the index never tokenises paragraphs one by one.
 */
export function getReadmeParagraph(readme: string, term: string, lexicon: Lexicon): string {
  const paragraphs = readme
    .split(/\n\s*\n/)
    .map((p) => p.trim().replace(/\s+/g, ' '))
    .filter((p) => p !== '');
  return paragraphs.find((p) => getTerms(p, lexicon).includes(term)) ?? paragraphs[0] ?? '';
}

const PARENTHESES = /\(([^)]*)\)/g;

/**
 * An error code as text: its words (`RESOURCE_CONFLICT` → resource conflict), its HTTP status and its
 * description without parenthetical asides ("Typed error (not an HTTP envelope code): ...").
 */
function getErrorCodeText(c: { code: string; status: number; description: string }): string {
  return `${c.code.replace(/_/g, ' ')}. ${c.status}. ${c.description.replace(PARENTHESES, ' ')}`;
}

/**
 * An exported identifier → its words: `BodyLimitOptions` → "Body Limit Options", `APIError` → "API Error",
 * `PARSE_ERROR_CODES` → "PARSE ERROR CODES". What a module exports is what it owns, in its own words.
 */
export function splitIdentifier(name: string): string {
  return name
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
}

/** Adjacent term pairs of a text, in either order ("request id" and "id request" both count). */
export function getPairs(terms: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < terms.length; i++) {
    const a = terms[i - 1] as string;
    const b = terms[i] as string;
    out.push(a < b ? `${a} ${b}` : `${b} ${a}`);
  }
  return out;
}

/** Module names written inside parentheses of a non-goal: the module the manifest says owns that work. */
function getReferrals(text: string, names: ReadonlySet<string>, self: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(PARENTHESES)) {
    for (const word of (match[1] ?? '').split(/[\s,;]+/)) {
      if (names.has(word) && word !== self && !out.includes(word)) out.push(word);
    }
  }
  return out;
}

function getTargets(
  target: { layer?: string; modules?: readonly string[]; paths?: readonly string[] },
  modules: readonly Module[],
): string[] {
  return modules
    .filter(
      (m) =>
        (target.layer !== undefined && m.layer === target.layer) ||
        (target.modules?.includes(m.name) ?? false) ||
        (target.paths?.some((p) => m.path === p || m.path.startsWith(`${p}/`)) ?? false),
    )
    .map((m) => m.name);
}

/** The task texts of a module: tasks it is the primary owner of, and tasks it shares or has affinity to. */
function getTaskTexts(module: Module, tasks: readonly TaskDoc[]): { kind: FieldKind; text: string }[] {
  const affinity = module.manifest.task_affinity ?? [];
  return tasks.flatMap((task) => {
    const text = [task.entry.intent, ...(task.entry.keywords ?? [])].join('. ');
    if (task.entry.modules[0] === module.name) return [{ kind: 'task' as FieldKind, text }];
    if (task.entry.modules.includes(module.name) || affinity.includes(task.key))
      return [{ kind: 'shared-task' as FieldKind, text }];
    return [];
  });
}

/** A module that exports nothing and imports nothing has no code of its own: the modules inside it do the work. */
function isUmbrella(module: Module): boolean {
  const m = module.manifest;
  return (
    m.public_entrypoints.length === 0 &&
    m.allowed_imports.modules.length === 0 &&
    m.allowed_imports.packages.length === 0
  );
}

/** Modules whose folder lies inside this module's folder (tools/route inside tools). */
function getNested(module: Module, modules: readonly Module[]): string[] {
  const prefix = module.path === '' || module.path === '.' ? '' : `${module.path}/`;
  return modules.filter((m) => m !== module && prefix !== '' && m.path.startsWith(prefix)).map((m) => m.name);
}

type TermsOf = (text: string) => readonly string[];

type Family = RoutingPlane['taxonomy']['families'][number];

/** Subordinate modules whose own name ("cache" of x/data/cache) the family's narrower_when uses. */
function getNamedSubordinates(
  family: Family,
  names: ReadonlySet<string>,
  termsOf: TermsOf,
): { name: string; term: string; inCondition: boolean }[] {
  const condition = new Set(termsOf(family.narrower_when ?? ''));
  return family.subordinates.flatMap((s) => {
    const own = termsOf(s.name.split('/').at(-1) ?? '');
    const term = own[0];
    return s.module && names.has(s.name) && own.length === 1 && term !== undefined
      ? [{ name: s.name, term, inCondition: condition.has(term) }]
      : [];
  });
}

function buildModuleDoc(
  module: Module,
  plane: RoutingPlane,
  tasks: readonly TaskDoc[],
  names: ReadonlySet<string>,
  termsOf: TermsOf,
): ModuleDoc {
  const m = module.manifest;
  const family = plane.taxonomy.families.find((f) => f.root === (module.family ?? m.parent));
  const isRoot = family !== undefined && family.root === module.name;
  const ownEntry = family?.subordinates.find((s) => s.name === module.name);
  const texts: { kind: FieldKind; text: string }[] = [
    {
      kind: 'name',
      text: module.name
        .split('/')
        .filter((s) => s !== 'x')
        .join(' '),
    },
    ...(m.primer_question ? [{ kind: 'primer' as const, text: m.primer_question }] : []),
    ...(isRoot ? [{ kind: 'taxonomy' as const, text: family.work_about }] : []),
    ...(ownEntry ? [{ kind: 'taxonomy' as const, text: ownEntry.when }] : []),
    { kind: 'summary', text: m.summary },
    ...m.responsibilities.map((text) => ({ kind: 'responsibility' as const, text })),
    // Review checklists and agent hints say how to work in a module, not what it owns; indexing them
    // made routing worse on the tuning cases, so they are left out.
    ...getTaskTexts(module, tasks),
    ...m.public_entrypoints.map((name) => ({ kind: 'entrypoint' as const, text: splitIdentifier(name) })),
    // One indexed text per README: a text per paragraph cost more to build than the rest of the index.
    // The paragraph that holds a matched word is found when the answer is explained (getReadmeParagraph).
    ...Object.entries(plane.readmes ?? {})
      .filter(([name]) => name === module.name)
      .map(([, text]) => ({ kind: 'readme' as const, text })),
    ...(plane.errorCodes ?? [])
      .filter((c) => c.module === module.name)
      .map((c) => ({ kind: 'error-code' as const, text: getErrorCodeText(c) })),
  ];
  const folders = isRoot
    ? family.subordinates
        .filter((s) => !s.module)
        .map((s) => ({ name: s.name, when: s.when, terms: new Set(termsOf(s.when)) }))
    : [];
  for (const folder of folders) texts.push({ kind: 'folder', text: folder.when });

  const termTexts = new Map<string, IndexedText[]>();
  const pairs = new Set<string>();
  for (const { kind, text } of texts) {
    // A module name that is itself a synonym phrase ("docs-site" reads as "docs") keeps each of its
    // words too: "site" names docs-site as much as "docs" does.
    const terms =
      kind === 'name' ? [...new Set([...termsOf(text), ...text.split(/[\s/-]+/).flatMap(termsOf)])] : termsOf(text);
    // Phrases are read from prose only: adjacent words of an exported name or an error code are one identifier.
    if (!APART_KINDS.has(kind)) for (const pair of getPairs(terms)) pairs.add(pair);
    const indexed: IndexedText = { kind, text, terms: new Set(terms) };
    for (const term of indexed.terms) {
      const list = termTexts.get(term);
      if (list) list.push(indexed);
      else termTexts.set(term, [indexed]);
    }
  }
  return {
    module,
    termTexts,
    pairs,
    nonGoals: m.non_goals.map((text) => ({
      text,
      terms: new Set(termsOf(text)),
      refersTo: getReferrals(text, names, module.name),
    })),
    ...(family && !isRoot ? { parent: family.root } : {}),
    ...(ownEntry ? { when: ownEntry.when } : {}),
    ...(isRoot && family.narrower_when ? { narrowerWhen: family.narrower_when } : {}),
    subordinates: isRoot ? family.subordinates.filter((s) => s.module && names.has(s.name)).map((s) => s.name) : [],
    namedSubordinates: isRoot ? getNamedSubordinates(family, names, termsOf) : [],
    // A family root's subordinates are chosen by the taxonomy's own rule, not as nested modules.
    nested: !isRoot && isUmbrella(module) ? getNested(module, plane.modules) : [],
    folders,
  };
}

/** Builds the index for a plane. Pure: the same plane and lexicon always give the same index. */
export function buildRoutingIndex(plane: RoutingPlane, lexicon: Lexicon): RoutingIndex {
  // A task's text is indexed for every module it lists, so each distinct text is tokenised once.
  const seen = new Map<string, readonly string[]>();
  const termsOf: TermsOf = (text) => {
    let terms = seen.get(text);
    if (!terms) seen.set(text, (terms = getTerms(text, lexicon)));
    return terms;
  };
  const names = new Set(plane.modules.map((m) => m.name));
  const tasks: TaskDoc[] = Object.entries(plane.taskRouting.tasks).map(([key, entry]) => ({
    key,
    entry,
    terms: new Set(termsOf([entry.intent, ...(entry.keywords ?? [])].join('. '))),
  }));
  const docs = plane.modules.map((module) => buildModuleDoc(module, plane, tasks, names, termsOf));
  // Exported names and error codes are counted apart: their words ("create", "options", "typed error")
  // are many and would cheapen the prose words every other field is weighed by. A hit in such a field
  // takes its rarity from every field (`apartIdf`): "plumego" in fifty error codes is worth little there.
  const df = new Map<string, number>();
  const allDf = new Map<string, number>();
  for (const doc of docs)
    for (const [term, texts] of doc.termTexts) {
      allDf.set(term, (allDf.get(term) ?? 0) + 1);
      if (texts.some((t) => !APART_KINDS.has(t.kind))) df.set(term, (df.get(term) ?? 0) + 1);
    }
  const n = docs.length;
  // Smoothed IDF: a word every module uses is worth almost nothing, a word one module uses is worth most.
  const toIdf = (count: number): number => Math.log((n + 1) / (count + 0.5));
  const idf = new Map([...df].map(([term, count]) => [term, toIdf(count)]));
  const apartIdf = new Map([...allDf].map(([term, count]) => [term, toIdf(count)]));
  for (const [term, value] of apartIdf) if (!idf.has(term)) idf.set(term, value);
  const definingTerms = new Set<string>();
  for (const doc of docs)
    for (const [term, texts] of doc.termTexts)
      if (texts.some((t) => t.kind === 'name' || t.kind === 'primer' || t.kind === 'taxonomy')) definingTerms.add(term);
  const claimed = (nameTerms: ReadonlySet<string>): Set<string> =>
    new Set(
      [...nameTerms].filter((term) =>
        docs.some((doc) =>
          doc.termTexts
            .get(term)
            ?.some(
              (t) =>
                (t.kind === 'name' || t.kind === 'primer' || t.kind === 'taxonomy') &&
                (nameTerms.size < 2 || ![...nameTerms].every((n) => t.terms.has(n))),
            ),
        ),
      ),
    );
  const rules = plane.taskRouting.routing_rules.map((rule) => {
    const nameTerms = new Set(termsOf(rule.start_here));
    return {
      id: rule.id,
      workType: rule.work_type,
      why: rule.why,
      // The rule's own words for where to start and why count as much as its work type: "Task Cards" /
      // "Cards record scope and acceptance" is how people name work on the task queue.
      terms: new Set(termsOf([rule.work_type, rule.start_here, rule.why].join('. '))),
      nameTerms,
      claimedNameTerms: claimed(nameTerms),
      targets: getTargets(rule.target, plane.modules),
    };
  });
  return {
    docs,
    byName: new Map(docs.map((d) => [d.module.name, d])),
    idf,
    apartIdf,
    definingTerms,
    tasks,
    rules,
    lexicon,
  };
}

const cache = new WeakMap<object, WeakMap<Lexicon, RoutingIndex>>();

/** The index of a plane, built on first use and cached for as long as the plane lives. */
export function getRoutingIndex(plane: RoutingPlane, lexicon: Lexicon): RoutingIndex {
  let byLexicon = cache.get(plane);
  if (!byLexicon) cache.set(plane, (byLexicon = new WeakMap()));
  let index = byLexicon.get(lexicon);
  if (!index) byLexicon.set(lexicon, (index = buildRoutingIndex(plane, lexicon)));
  return index;
}
