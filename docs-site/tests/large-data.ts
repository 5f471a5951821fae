import type { SiteData, SiteFamily, SiteModule } from '../src/data/plumego.generated.types.ts';

/**
 * A synthetic repository of `total` modules grown from real site data, for measuring build time
 * and page weight at scale (issue #23: 500 modules). Deterministic (a seeded generator), so two
 * runs measure the same site. Generated families of `perFamily` modules each import stable roots
 * and earlier members; one edge in fifty is not allowed, and one family closes a cycle.
 */
export function generateLargeData(base: SiteData, total: number, perFamily = 12): SiteData {
  let seed = 42;
  const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const template = base.modules.find((m) => m.layer === 'extension' && m.implemented) ?? base.modules[0]!;
  const roots = base.modules.filter((m) => m.isStableRoot).map((m) => m.name);
  const modules: SiteModule[] = [];
  const families: SiteFamily[] = [];
  const edges: { from: string; to: string; kinds: string[] }[] = [];
  const count = Math.max(0, total - base.modules.length);
  for (let i = 0; i < count; i++) {
    const f = Math.floor(i / perFamily);
    const root = `x/gen${f}`;
    const name = i % perFamily === 0 ? root : `${root}/part${i % perFamily}`;
    const tier = pick(base.tiers).id;
    const previous = modules.filter((m) => m.family === root).map((m) => m.name);
    const imports = [
      ...new Set([
        pick(roots),
        pick(roots),
        ...(previous.length ? [pick(previous)] : []),
        ...(modules.length && random() < 0.3 ? [pick(modules).name] : []),
      ]),
    ];
    // Every 50th module imports one module its manifest does not allow; the first family closes a cycle.
    const notAllowed = i % 50 === 49 ? imports.slice(-1) : [];
    if (f === 0 && i % perFamily === perFamily - 1) imports.push(root);
    const allowedModules = [...imports.filter((n) => !notAllowed.includes(n)), pick(roots)]
      .filter((n, k, a) => a.indexOf(n) === k)
      .sort();
    for (const to of imports) edges.push({ from: name, to, kinds: [pick(['import', 'type-only', 'import'])] });
    modules.push({
      ...template,
      name,
      path: `framework/${name}`,
      layer: 'extension',
      tier,
      tierLabel: base.tiers.find((t) => t.id === tier)!.label,
      family: root,
      parent: name === root ? null : root,
      isStableRoot: false,
      isFamilyRoot: name === root,
      summary: `Synthetic module ${i} for the scale test.`,
      allowedModules,
      lowerTier: [],
      forbiddenImports: [],
      allowedBy: [],
      imports: null,
      importedBy: null,
      manifestFile: `framework/${name}/module.yaml`,
      entry: `framework/${name}/index.ts`,
      importSpecifier: `plumego/${name}`,
      taskAffinity: [],
      check: { errors: notAllowed.length, warnings: 0 },
    });
    if (f === 0 && i % perFamily === perFamily - 1) {
      // The family root imports its last member, which imports the root: an allowed two-module cycle.
      edges.push({ from: root, to: name, kinds: ['import'] });
      modules[0] = { ...modules[0]!, allowedModules: [...modules[0]!.allowedModules, name].sort() };
    }
    if (name === root)
      families.push({
        ...base.families[0]!,
        root,
        subordinates: [],
        tier,
        tierLabel: base.tiers.find((t) => t.id === tier)!.label,
        hasModule: true,
      });
    else {
      const fam = families[families.length - 1]!;
      families[families.length - 1] = {
        ...fam,
        subordinates: [
          ...fam.subordinates,
          {
            name,
            module: true,
            when: 'scale test',
            tier,
            tierLabel: modules.at(-1)!.tierLabel,
            promotedIn: null,
            differs: tier !== fam.tier,
          },
        ],
      };
    }
  }
  const all = [...base.modules, ...modules];
  const allEdges = [...base.graph.edges, ...edges];
  const withGraph = all.map((m) => ({
    ...m,
    imports: [...new Set(allEdges.filter((e) => e.from === m.name && e.to !== m.name).map((e) => e.to))].sort(),
    importedBy: [...new Set(allEdges.filter((e) => e.to === m.name && e.from !== m.name).map((e) => e.from))].sort(),
  }));
  return {
    ...base,
    modules: withGraph,
    families: [...base.families, ...families],
    graph: {
      ...base.graph,
      computed: true,
      nodes: all.map((m) => ({ name: m.name, tier: m.tier, layer: m.layer })),
      edges: allEdges,
      declaredEdges: all.flatMap((m) => m.allowedModules.map((to) => ({ from: m.name, to }))),
    },
    totals: { ...base.totals, modules: all.length },
  };
}
