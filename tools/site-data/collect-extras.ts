/**
 * Gathers what other tools compute for the site: the real module graph and the boundary check
 * (tools/boundaries), gate profiles and router answers (tools/route), API evidence (tools/api).
 * A tool that throws fails the sync loudly: an empty part would read as "clean" on the site.
 * buildSiteData itself treats every part as optional, so fixtures and tests can leave them out.
 */
import type { ControlPlane } from '../control-plane/index.ts';
import {
  checkBoundaries,
  createOwnerIndex,
  getModuleEdges,
  getScanRoots,
  isTestFile,
  listSourceFiles,
  runBoundaries,
} from '../boundaries/index.ts';
import { getSnapshotState, readApiAnalysis } from '../api/index.ts';
import { readMutationScores } from '../evidence/index.ts';
import {
  buildRouterIndex,
  buildRoutingExport,
  readDefaultLexiconSource,
  readRoutingCases,
  routeWork,
  type RoutingCase,
} from '../route/index.ts';
import type { SiteDataExtras } from './site-context.ts';
import type { SiteGates, SiteRouteExample } from './site-data-model.ts';
import { compareText } from './site-context.ts';

export async function collectSiteExtras(plane: ControlPlane): Promise<SiteDataExtras> {
  const [graph, check] = await Promise.all([readModuleGraph(plane), readCheck(plane)]);
  return {
    ...(graph ? { graph } : {}),
    ...(check ? { check } : {}),
    gates: getGates(plane),
    routeExamples: getRouteExamples(plane),
    routerIndex: buildRouterIndex(plane, readDefaultLexiconSource()),
    evidence: await getEvidence(plane),
  };
}

/**
 * Per-module evidence: test files the module owns, and for API modules the snapshot state and
 * export count from tools/api (the same analysis `plumego check` uses, cached on disk).
 */
async function getEvidence(plane: ControlPlane): Promise<Record<string, Record<string, unknown>>> {
  const owner = createOwnerIndex(plane.modules);
  const testFiles = new Map<string, number>();
  for (const file of listSourceFiles(plane.root, getScanRoots(plane.repo))) {
    const m = isTestFile(file) ? owner(file) : undefined;
    if (m) testFiles.set(m.name, (testFiles.get(m.name) ?? 0) + 1);
  }
  // readApiAnalysis loads ts-morph only on a cache miss, so a sync with a warm cache stays without it.
  const analysis = await readApiAnalysis(withEntryFiles(plane));
  const mutation = readMutationScores(plane.root);
  const evidence: Record<string, Record<string, unknown>> = {};
  for (const m of [...plane.modules].sort((a, b) => compareText(a.name, b.name))) {
    const api = analysis.apis.get(m.name);
    const snapshot = api ? getSnapshotState(plane, m, api, analysis.printed.has(m.name)) : undefined;
    evidence[m.name] = {
      testFiles: testFiles.get(m.name) ?? 0,
      // Entries are only listed for modules whose signatures were printed.
      ...(api && analysis.printed.has(m.name) ? { exports: api.entries.length } : {}),
      ...(snapshot ? { snapshot: snapshot.state, snapshotFile: snapshot.path } : {}),
      // Recorded mutation scores (tools/mutation/results), one per target; absent when never measured.
      ...(mutation.has(m.name) ? { mutation: mutation.get(m.name) } : {}),
    };
  }
  return evidence;
}

/**
 * The plane with only modules whose entry file exists: an adopter's module may have code but no
 * index file (init accepts it), and the API analysis has nothing to read there. Unchanged (the same
 * object, so the analysis memo holds) when every entry exists, as in this repository.
 */
function withEntryFiles(plane: ControlPlane): ControlPlane {
  const modules = plane.modules.filter((m) => plane.pathExists(m.entry));
  if (modules.length === plane.modules.length) return plane;
  return { ...plane, modules, moduleByName: new Map(modules.map((m) => [m.name, m] as const)) };
}

/** Module edges of shipped code: test files may reach across modules for fixtures, so they are left out. */
async function readModuleGraph(plane: ControlPlane): Promise<SiteDataExtras['graph']> {
  const run = await runBoundaries(plane, { cache: true });
  const edges = getModuleEdges(run.graph, createOwnerIndex(plane.modules))
    .filter((e) => !isTestFile(e.file))
    .map((e) => ({ from: e.from.name, to: e.to.name, kind: e.dependency.kind }));
  return { source: 'plumego check (boundaries graph)', edges };
}

async function readCheck(plane: ControlPlane): Promise<SiteDataExtras['check']> {
  return { source: 'plumego check (boundaries, after the baseline)', violations: await checkBoundaries(plane) };
}

function getGates(plane: ControlPlane): SiteGates {
  const { gateProfiles } = buildRoutingExport(plane);
  return {
    rule: gateProfiles.rule,
    profiles: gateProfiles.profiles.map((p) => ({
      id: p.id,
      strength: p.strength,
      summary: p.summary,
      commands: [...p.commands],
    })),
    selection: gateProfiles.selection.map((s) => ({ id: s.id, profile: s.profile, when: describeWhen(s.when) })),
  };
}

function describeWhen(when: Readonly<Record<string, unknown>>): string {
  return Object.entries(when)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
    .join('; ');
}

/**
 * One example per owning module, from the evaluation part written before the router was tuned, so
 * the page shows honest answers (a miss is shown as a miss).
 */
function getRouteExamples(plane: ControlPlane, cases: readonly RoutingCase[] = readRoutingCases()): SiteRouteExample[] {
  const firstPerModule = new Map<string, RoutingCase>();
  // The evaluation set is written for this repository's modules; another repository (plumego site on an
  // adopter's specs) has none of them, and an example about a module it lacks would be our prose on its site.
  const names = new Set(plane.modules.map((m) => m.name));
  for (const c of cases)
    if (c.part === 'untouched' && names.has(c.expect) && !firstPerModule.has(c.expect)) firstPerModule.set(c.expect, c);
  return [...firstPerModule.values()]
    .sort((a, b) => compareText(a.expect, b.expect))
    .map((c) => {
      const result = routeWork(plane, c.ask);
      const answer = result.kind === 'answer' ? result.module.name : null;
      return {
        ask: c.ask,
        expected: c.expect,
        answer,
        task: result.kind === 'answer' ? (result.task?.key ?? null) : null,
        reason: result.kind === 'answer' ? result.reason : result.message,
        correct: answer === c.expect,
      };
    });
}
