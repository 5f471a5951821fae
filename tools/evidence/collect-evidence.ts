import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { type ControlPlane, getModuleRoots, type Module, SKIP_DIRS } from '../control-plane/index.ts';
import { type ApiAnalysis, getFileOwner, getSnapshotPath, getSnapshotState, type SnapshotState } from '../api/index.ts';
import { readMutationScores, type MutationEvidence } from './mutation-scores.ts';

/** Where hand-written primer prose lives (docs-site/src/content.config.ts reads the same folder). */
export const PROSE_DIR = 'docs-site/src/prose';

const LIBRARY = new Set<Module['layer']>(['stable', 'extension', 'facade']);

/** One module's maturity evidence: what `plumego status` and the site's dashboard show. */
export interface ModuleEvidence {
  readonly module: string;
  /** Repository-relative module directory. */
  readonly path: string;
  readonly layer: Module['layer'];
  readonly tier: Module['tier'];
  /**
   * implemented: the entry exists. declared: a manifest without code yet — its tier is a plan, so its
   * evidence is shown but never required (a beta/ga module cannot have a snapshot of code it lacks).
   */
  readonly state: 'implemented' | 'declared';
  /** True for an implemented beta/ga library module: every piece below must exist. */
  readonly required: boolean;
  readonly promotedIn: string | null;
  readonly entrypoints: number;
  /** state is present when asked for (`withSnapshotState`): fresh, stale, unreadable, missing or unchecked. */
  readonly snapshot: {
    readonly path: string;
    readonly exists: boolean;
    readonly state?: SnapshotState['state'];
    readonly exports?: number;
  };
  /** Test files inside the module, and test files elsewhere that import its package subpath. */
  readonly tests: { readonly own: number; readonly importing: number; readonly total: number };
  /**
   * The primer page is generated from the manifest for every module (docs-site /modules/<name>/);
   * it answers a reader only when the manifest carries primer_question. Prose is the optional
   * hand-written part.
   */
  readonly primer: { readonly page: string; readonly question: boolean; readonly prose: string | null };
  /**
   * Recorded mutation scores (tools/mutation/results), one per target naming this module. Required of
   * an implemented ga stable root: the top tier claims tested behaviour, and a score is the measure
   * of how much of its code the tests pin down. The facade and extensions hold no logic of their own
   * worth a target (the facade only re-exports), so they are shown but not required.
   */
  readonly mutation: readonly MutationEvidence[];
  /** Names of the required pieces that are missing (snapshot, tests, primer_question, mutation). */
  readonly missing: readonly string[];
}

export interface EvidenceOptions {
  /** Also compare each snapshot with the code, from this analysis (readApiAnalysis() in tools/api/read-analysis.ts). */
  readonly analysis?: ApiAnalysis;
}

/** Collects evidence for every module. Cheap by default: file existence and one read of each test file. */
export function collectEvidence(plane: ControlPlane, options: EvidenceOptions = {}): ModuleEvidence[] {
  const tests = countTests(plane);
  const scores = readMutationScores(plane.root);
  const analysis = options.analysis;
  return plane.modules.map((m) => {
    const required = LIBRARY.has(m.layer) && m.tier !== 'experimental' && m.implemented;
    const api = analysis?.apis.get(m.name);
    const state = analysis && api ? getSnapshotState(plane, m, api, analysis.printed.has(m.name)).state : undefined;
    const snapshot = {
      path: getSnapshotPath(m.path),
      exists: LIBRARY.has(m.layer) && existsSync(`${plane.root}/${getSnapshotPath(m.path)}`),
      ...(state ? { state } : {}),
      ...(api && analysis?.printed.has(m.name) ? { exports: api.entries.length } : {}),
    };
    const t = tests.get(m.name) ?? { own: 0, importing: 0 };
    const prosePath = `${PROSE_DIR}/${m.name}.md`;
    const primer = {
      page: `modules/${m.name}/`,
      question: Boolean(m.manifest.primer_question?.trim()),
      prose: existsSync(`${plane.root}/${prosePath}`) ? prosePath : null,
    };
    const mutation = scores.get(m.name) ?? [];
    const needsScore = required && m.tier === 'ga' && m.layer === 'stable';
    const missing = required
      ? [
          ...(snapshot.exists ? [] : ['snapshot']),
          ...(t.own + t.importing > 0 ? [] : ['tests']),
          ...(primer.question ? [] : ['primer_question']),
          ...(needsScore && mutation.length === 0 ? ['mutation'] : []),
        ]
      : [];
    return {
      module: m.name,
      path: m.path,
      layer: m.layer,
      tier: m.tier,
      state: m.implemented ? 'implemented' : 'declared',
      required,
      promotedIn: m.manifest.promoted_in ?? null,
      entrypoints: m.manifest.public_entrypoints.length,
      snapshot,
      tests: { ...t, total: t.own + t.importing },
      primer,
      mutation,
      missing,
    };
  });
}

/** The evidence keyed by module name, in the shape the site data's `extras.evidence` takes. */
export function toSiteEvidence(evidence: readonly ModuleEvidence[]): Record<string, Record<string, unknown>> {
  return Object.fromEntries(evidence.map((e) => [e.module, { ...e }]));
}

/** Own test files per module, and test files elsewhere that import its subpath (`plumego/router`). */
function countTests(plane: ControlPlane): Map<string, { own: number; importing: number }> {
  const counts = new Map<string, { own: number; importing: number }>();
  const bump = (name: string, key: 'own' | 'importing'): void => {
    const c = counts.get(name) ?? { own: 0, importing: 0 };
    c[key]++;
    counts.set(name, c);
  };
  const bySpecifier = new Map(plane.modules.filter((m) => m.importSpecifier).map((m) => [m.importSpecifier!, m]));
  // One pass per file: every quoted specifier of the package (`'plumego'`, `"plumego/x/tenant"`).
  const pkg = escape(plane.repo.identity.package);
  const quoted = new RegExp(`['"](${pkg}(?:/[a-z0-9/-]+)?)['"]`, 'g');
  for (const file of listTestFiles(plane.root, getModuleRoots(plane.repo))) {
    const owner = getFileOwner(plane, file);
    if (owner) bump(owner.name, 'own');
    let text: string;
    try {
      text = readFileSync(`${plane.root}/${file}`, 'utf8');
    } catch {
      continue;
    }
    const reached = new Set<Module>();
    for (const match of text.matchAll(quoted)) {
      const m = bySpecifier.get(match[1]!);
      if (m && m !== owner) reached.add(m);
    }
    for (const m of reached) bump(m.name, 'importing');
  }
  return counts;
}

/** Test files under the directories that hold modules (repo.yaml's library root and layer folders), never in dependencies or fixtures. */
function listTestFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    let entries;
    try {
      entries = readdirSync(`${root}/${rel}`, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(`${rel}/${e.name}`);
      } else if (/\.test\.(ts|mts|tsx)$/.test(e.name)) out.push(`${rel}/${e.name}`);
    }
  };
  for (const dir of dirs) walk(dir);
  return out.sort();
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Header and cells of the evidence columns `plumego status` appends to its table. */
export const EVIDENCE_COLUMNS = ['snapshot', 'tests', 'primer'] as const;

export function getEvidenceCells(e: ModuleEvidence | undefined): string[] {
  if (!e || (e.layer !== 'stable' && e.layer !== 'extension' && e.layer !== 'facade')) return ['—', '—', '—'];
  if (e.state === 'declared') return ['—', '—', '—'];
  const mark = (ok: boolean, text: string): string => (ok ? text : e.required ? `MISSING` : text);
  return [
    mark(e.snapshot.exists, e.snapshot.exists ? 'yes' : 'no'),
    mark(e.tests.total > 0, e.tests.importing ? `${e.tests.own}+${e.tests.importing}` : String(e.tests.own)),
    mark(e.primer.question, e.primer.question ? (e.primer.prose ? 'prose' : 'generated') : 'no question'),
  ];
}
