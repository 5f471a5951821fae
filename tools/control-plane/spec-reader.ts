/**
 * Reading a spec file through the spec cache: parse (or reuse the cached parse) and validate
 * against its schema (or reuse the cached verdict). The loader reads every file through one reader;
 * tools that read one spec file again later (the baseline) use readValidatedSpec.
 */
import { cachedYaml, parseYaml, readSpecText, type YamlFile } from './read-yaml.ts';
import { validateAgainstSchema, type SchemaKind } from './schemas.ts';
import { DEFAULT_SPEC_CACHE_FILE, NO_SPEC_CACHE, openSpecCache, type SpecCache } from './spec-cache.ts';
import type { Violation } from './violation.ts';

export interface SpecReader {
  /** The parsed file; an unreadable or malformed file throws a ConfigError. */
  read(file: string): Promise<YamlFile>;
  /** Schema violations of a file read by this reader ([] when valid). */
  validate(kind: SchemaKind, yaml: YamlFile, check: string): Violation[];
  /** Writes the cache; `prune` when this reader read every spec file (the loader). */
  save(prune: boolean): void;
}

export function openSpecReader(root: string, useCache: boolean): SpecReader {
  const cache: SpecCache = useCache ? openSpecCache(`${root}/${DEFAULT_SPEC_CACHE_FILE}`) : NO_SPEC_CACHE;
  return {
    async read(file) {
      const text = await readSpecText(root, file);
      const hit = cache.lookup(file, text);
      if (hit) return cachedYaml(file, text, hit.data);
      const yaml = parseYaml(file, text);
      cache.remember(file, text, yaml.data);
      return yaml;
    },
    validate(kind, yaml, check) {
      if (cache.isValid(yaml.file, kind)) return [];
      const problems = validateAgainstSchema(kind, yaml, check);
      if (!problems.length) cache.markValid(yaml.file, kind);
      return problems;
    },
    save: (prune) => cache.save(prune),
  };
}

/** One spec file, parsed and validated through the cache (throws ConfigError when unreadable or malformed). */
export async function readValidatedSpec(
  root: string,
  file: string,
  kind: SchemaKind,
  check: string,
  useCache = true,
): Promise<{ yaml: YamlFile; problems: Violation[] }> {
  const reader = openSpecReader(root, useCache);
  try {
    const yaml = await reader.read(file);
    return { yaml, problems: reader.validate(kind, yaml, check) };
  } finally {
    reader.save(false);
  }
}
