/**
 * dependency-cruiser's own configuration for the synthetic repository, generated from the same
 * manifests and rules, so its CLI does comparable work: the same cruise options as the gate
 * (tools/boundaries/extract-graph.ts getCruiseOptions) and one forbidden rule per manifest and global rule.
 * Module cycles become dependency-cruiser's file-level `circular` rule, the nearest it has.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { SynthModule } from './synth-modules.ts';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Regex for the files a module owns: its folder minus folders of modules nested inside it. */
function ownedBy(module: SynthModule, all: readonly SynthModule[]): string {
  const nested = all
    .filter((m) => m !== module && m.path.startsWith(`${module.path}/`))
    .map((m) => escape(m.path.slice(module.path.length + 1)));
  return `^${escape(module.path)}/${nested.length ? `(?!(?:${nested.join('|')})/)` : ''}`;
}

export function renderDepcruiseConfig(all: readonly SynthModule[], sourceRoot: string): string {
  const rules = parse(readFileSync(`${sourceRoot}/specs/dependency-rules.yaml`, 'utf8')) as {
    builtins: { deny: Record<string, string[]> };
  };
  const ranks: Record<string, number> = { ga: 3, beta: 2, experimental: 1 };
  const library = all.filter((m) => ['stable', 'extension', 'facade'].includes(m.layer));
  const governed = all.filter((m) => m.layer !== 'reference' && m.name !== 'docs-site');
  const forbidden: object[] = [];
  for (const m of governed) {
    const byName = new Map(all.map((x) => [x.name, x]));
    // Default deny and maturity in one rule: every other module except those allowed (and opted in when lower).
    const permitted = m.allowed
      .map((n) => byName.get(n))
      .filter((t): t is SynthModule => Boolean(t))
      .filter((t) => (ranks[t.tier] ?? 0) >= (ranks[m.tier] ?? 0) || m.lowerTier.includes(t.name));
    forbidden.push({
      name: `default-deny:${m.name}`,
      severity: 'error',
      from: { path: ownedBy(m, all) },
      to: {
        path: '^(framework|tools|bench|docs-site|reference)/',
        pathNot: [ownedBy(m, all), ...permitted.map((t) => ownedBy(t, all))],
      },
    });
  }
  const stablePaths = library.filter((m) => m.layer !== 'extension').map((m) => ownedBy(m, all));
  forbidden.push(
    { name: 'stable-no-extension', severity: 'error', from: { path: stablePaths }, to: { path: '^framework/x/' } },
    {
      name: 'library-no-app-code',
      severity: 'error',
      from: { path: '^framework/' },
      to: { path: '^(tools|bench|docs-site|reference)/' },
    },
    {
      name: 'public-entry-only',
      severity: 'error',
      from: { path: '^(framework/(?:x/)?[^/]+)/' },
      to: { path: '^framework/(?:x/)?[^/]+/', pathNot: ['^$1/', '/index\\.ts$'] },
    },
    { name: 'no-module-cycles', severity: 'error', from: {}, to: { circular: true } },
    { name: 'unresolved-import', severity: 'error', from: {}, to: { couldNotResolve: true } },
    // A package declared in package.json may still carry npm-no-pkg beside npm-dev/npm-peer (an optional peer
    // reached through a symlinked node_modules): declared in any section is declared, as for the gate.
    {
      name: 'npm-undeclared',
      severity: 'error',
      from: {},
      to: {
        dependencyTypes: ['npm-no-pkg', 'npm-unknown'],
        dependencyTypesNot: ['npm', 'npm-dev', 'npm-peer', 'npm-optional'],
      },
    },
    ...Object.entries(rules.builtins.deny).map(([layer, names]) => ({
      name: `builtin-policy:${layer}`,
      severity: 'error',
      from: { path: all.filter((m) => m.layer === layer).map((m) => ownedBy(m, all)), pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'], path: `^(${names.map((n) => escape(n.replace(/^node:/, ''))).join('|')})$` },
    })),
  );
  const options = {
    doNotFollow: { path: ['node_modules'] },
    tsPreCompilationDeps: true,
    moduleSystems: ['es6', 'cjs'],
    skipAnalysisNotInRules: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.mts', '.cts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  };
  return `// generated from the manifests and specs/dependency-rules.yaml by bench/boundaries — do not edit\nmodule.exports = ${JSON.stringify({ forbidden, options }, null, 2)};\n`;
}
