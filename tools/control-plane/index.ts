export { loadControlPlane, type LoadOptions, type LoadResult } from './load.ts';
export { parseYaml, readYaml, type YamlFile } from './read-yaml.ts';
export { ConfigError, type Violation } from './violation.ts';
export type * from './model.ts';
export { readValidatedSpec } from './spec-reader.ts';
