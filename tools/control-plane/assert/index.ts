import type { ControlPlane } from '../model.ts';
import type { Violation } from '../violation.ts';
import { assertDeclaredLayout, assertLayout, assertManifestsLoaded } from './layout.ts';
import { assertManifests } from './manifests.ts';
import { assertRouting } from './routing.ts';
import { assertSpecs } from './specs.ts';
import { assertTasks } from './tasks.ts';
import { violationAt, type Finding } from './violation-at.ts';

const RATIONALE: Record<string, string> = {
  specs: 'Specs are the single source of truth; tools only agree with each other when the specs agree with each other.',
  manifests: "A manifest is the module's machine-readable contract; the gate, the router and the site all read it.",
  layout: 'The directory layout is the architecture: every directory belongs to a declared layer, family or module.',
  routing: 'Routing is only useful if every entry points at something real and every module can be reached.',
  tasks: 'Cards are linted against the very template the repository ships, so the template is always a valid card.',
};

/** The meaning checks that run after every document has passed its schema. */
export async function assertMeaning(
  plane: ControlPlane,
  manifestFiles: readonly string[],
  moduleRoots: readonly string[],
  today = new Date().toISOString().slice(0, 10),
): Promise<Violation[]> {
  // The minimal profile checks the layout it declares (module folders, nested packages); the full
  // profile's top-level, library-root and family rules describe this repository's shape.
  const layout = plane.profile === 'full' ? await assertLayout(plane) : await assertDeclaredLayout(plane);
  const groups: [string, Finding[]][] = [
    ['specs', assertSpecs(plane, today)],
    ['manifests', assertManifests(plane, manifestFiles)],
    ['layout', [...layout, ...(await assertManifestsLoaded(plane.root, manifestFiles, moduleRoots))]],
    ['routing', plane.features.has('routing') ? assertRouting(plane) : []],
    ['tasks', assertTasks(plane)],
  ];
  return groups.flatMap(([check, findings]) =>
    findings.map((f) => violationAt(plane, check, { ...f, rationale: f.rationale ?? RATIONALE[check]! })),
  );
}
