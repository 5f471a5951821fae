/** Test helper (not a test): a fixture repository loaded by the real loader, for the API checks. */
import { loadControlPlane, type ControlPlane } from '../../control-plane/index.ts';
import { validFixture, writeFixture, type FixtureFiles } from '../../control-plane/testing/fixture-repo.ts';

export interface LoadedFixture {
  readonly plane: ControlPlane;
  readonly root: string;
  readonly cleanup: () => void;
}

/**
 * The coordinator's valid fixture with `files` laid over it (a value of `null` deletes a file), made
 * API-clean first: the contract's manifest lists what its index.ts exports.
 */
export async function loadApiFixture(files: Record<string, string | object | null>): Promise<LoadedFixture> {
  const base: FixtureFiles = validFixture();
  base['framework/contract/module.yaml'] = editManifest(base['framework/contract/module.yaml'], {
    public_entrypoints: ['contract'],
  });
  for (const [rel, content] of Object.entries(files)) {
    if (content === null) delete base[rel];
    else base[rel] = content;
  }
  const { root, cleanup } = writeFixture(base);
  const load = await loadControlPlane(root);
  if (!load.plane) {
    cleanup();
    throw new Error(
      `fixture does not load: ${[...load.configErrors.map((e) => e.message), ...load.violations.map((v) => v.message)].join('; ')}`,
    );
  }
  return { plane: load.plane, root, cleanup };
}

/** A fixture manifest with some fields replaced (objects stay objects, so YAML positions are real). */
export function editManifest(manifest: string | object | undefined, changes: Record<string, unknown>): object {
  if (manifest === undefined || typeof manifest === 'string')
    throw new Error('editManifest needs an object manifest from validFixture()');
  return { ...manifest, ...changes };
}

/** The fixture's manifest of `path` (e.g. `framework/router/module.yaml`) with `changes` applied. */
export function manifestWith(path: string, changes: Record<string, unknown>): object {
  return editManifest(validFixture()[path], changes);
}
