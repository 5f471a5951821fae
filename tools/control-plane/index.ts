export { assertGateProfiles } from './assert/gate-profiles.ts';
export { SKIP_DIRS } from './discover.ts';
export { loadControlPlane, toModule, type LoadOptions, type LoadResult } from './load.ts';
export { parseYaml, readYaml, type YamlFile } from './read-yaml.ts';
export { ConfigError, type Violation } from './violation.ts';
export type * from './model.ts';
export { getModuleRoots, resolveManifest, resolveRepoSpec } from './profile.ts';
export { readValidatedSpec } from './spec-reader.ts';
export { hasWorkspaces, listWorkspaceDirs } from './workspaces.ts';
