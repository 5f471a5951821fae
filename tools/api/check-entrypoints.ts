import type { ControlPlane, Module, Violation } from '../control-plane/index.ts';
import type { ApiAnalysis } from './model.ts';
import { getFileOwner } from './modules.ts';
import { readApiAnalysis, type CacheOptions } from './read-analysis.ts';
import type { ModuleApi } from './model.ts';

const CHECK = 'entrypoints';
const LIBRARY = new Set(['stable', 'extension', 'facade']);

const WHY = {
  surface:
    "public_entrypoints is the reviewed list of a module's public surface; an export nobody declared is API nobody agreed to support.",
  facade:
    'The root facade is deliberately tiny: everything beyond app construction lives behind a module subpath, so the package root cannot grow by accident.',
  syntax: 'A file that does not parse has no trustworthy exports; every API check of the module waits for it.',
} as const;

/**
 * Entrypoints check: the names exported by each library module's index.ts equal its manifest's
 * public_entrypoints, both directions; the facade re-exports only what the root module.yaml allows,
 * from modules it may import.
 */
export async function checkEntrypoints(plane: ControlPlane, options: CacheOptions = {}): Promise<Violation[]> {
  return findEntrypointViolations(plane, await readApiAnalysis(plane, options));
}

export function findEntrypointViolations(plane: ControlPlane, analysis: ApiAnalysis): Violation[] {
  const out: Violation[] = [];
  for (const m of plane.modules) {
    if (!LIBRARY.has(m.layer)) continue;
    const declared = m.manifest.public_entrypoints;
    if (!m.implemented) {
      // Declared, not implemented: fine while the manifest promises nothing.
      if (declared.length > 0) {
        out.push(
          at(
            plane,
            m,
            ['public_entrypoints'],
            'entry-missing',
            `module '${m.name}' declares ${declared.length} public entrypoint(s) but ${m.entry} does not exist`,
            `Create ${m.entry} exporting them, or empty public_entrypoints until the module is implemented.`,
            WHY.surface,
          ),
        );
      }
      continue;
    }
    const api = analysis.apis.get(m.name);
    if (!api) continue;
    const syntax = api.problems.filter((p) => p.rule === 'syntax-error');
    for (const p of syntax) {
      out.push({
        check: CHECK,
        rule: 'syntax-error',
        severity: 'error',
        file: p.file,
        line: p.line,
        column: p.column,
        message: `${p.message} (module '${m.name}': its exports are not compared until it parses)`,
        rationale: WHY.syntax,
        fix: 'Fix the syntax error; run npx tsc --noEmit -p tsconfig.json for details.',
      });
    }
    if (syntax.length) continue;
    out.push(...compareSurface(plane, m, api));
    if (m.layer === 'facade') out.push(...checkFacadeSources(plane, m, api, analysis));
  }
  return out;
}

function compareSurface(plane: ControlPlane, m: Module, api: ModuleApi): Violation[] {
  const out: Violation[] = [];
  const declared = new Set(m.manifest.public_entrypoints);
  const exported = new Set(api.names);
  const facade = m.layer === 'facade';
  for (const name of api.names) {
    if (declared.has(name)) continue;
    out.push({
      check: CHECK,
      rule: facade ? 'facade-surface' : 'undeclared-export',
      severity: 'error',
      file: m.entry,
      line: api.exportLines[name] ?? 0,
      column: api.exportLines[name] ? 1 : 0,
      message: facade
        ? `the root facade exports '${name}', which module.yaml does not allow`
        : `${m.entry} exports '${name}', which ${m.manifestFile} does not list in public_entrypoints`,
      rationale: facade ? WHY.facade : WHY.surface,
      fix: facade
        ? `Import '${name}' from its module's subpath instead and remove it from ${m.entry}; if it truly belongs in the facade, add it to public_entrypoints in module.yaml (a reviewed ga API change).`
        : `Add '${name}' to public_entrypoints in ${m.manifestFile} (sorted), or stop exporting it from ${m.entry}.`,
      from: m.name,
    });
  }
  m.manifest.public_entrypoints.forEach((name, i) => {
    if (exported.has(name)) return;
    out.push(
      at(
        plane,
        m,
        ['public_entrypoints', i],
        'missing-export',
        `${m.manifestFile} lists '${name}' in public_entrypoints but ${m.entry} does not export it`,
        `Export '${name}' from ${m.entry}, or remove it from public_entrypoints.`,
        WHY.surface,
      ),
    );
  });
  return out;
}

/** Each facade export comes from a module the facade may import, which exports it under the same name. */
function checkFacadeSources(plane: ControlPlane, facade: Module, api: ModuleApi, analysis: ApiAnalysis): Violation[] {
  const out: Violation[] = [];
  const allowed = new Set(facade.manifest.allowed_imports.modules);
  for (const name of api.names) {
    const origin = api.origins[name];
    if (!origin) continue;
    const owner = getFileOwner(plane, origin);
    const problem =
      !owner || owner === facade
        ? `the facade declares '${name}' itself (in ${origin}); it may only re-export`
        : !allowed.has(owner.name)
          ? `the facade re-exports '${name}' from '${owner.name}', which is not in its allowed_imports.modules`
          : analysis.apis.get(owner.name) && !analysis.apis.get(owner.name)!.names.includes(name)
            ? `the facade re-exports '${name}' from '${owner.name}', whose public entry does not export it under that name`
            : undefined;
    if (!problem) continue;
    out.push({
      check: CHECK,
      rule: 'facade-source',
      severity: 'error',
      file: facade.entry,
      line: api.exportLines[name] ?? 0,
      column: api.exportLines[name] ? 1 : 0,
      message: problem,
      rationale: WHY.facade,
      fix: `Re-export '${name}' from the public subpath of a module listed in allowed_imports.modules (${[...allowed].join(', ') || 'none'}), under the same name.`,
      from: facade.name,
      ...(owner ? { to: owner.name } : {}),
    });
  }
  return out;
}

function at(
  plane: ControlPlane,
  m: Module,
  path: readonly (string | number)[],
  rule: string,
  message: string,
  fix: string,
  rationale: string,
): Violation {
  const pos = plane.locate(m.manifestFile, path);
  return {
    check: CHECK,
    rule,
    severity: 'error',
    file: pos.file,
    line: pos.line,
    column: pos.column,
    message,
    rationale,
    fix,
    from: m.name,
  };
}
