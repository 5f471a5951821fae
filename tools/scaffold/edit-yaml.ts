import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Document } from 'yaml';

type YamlLib = typeof import('yaml');
const getYaml = (): YamlLib => createRequire(import.meta.url)('yaml') as YamlLib;

/**
 * Edits a spec in place through the YAML document model, so comments, key order and quoting of
 * everything the edit does not touch survive. Block style for the new nodes: an empty `[]` would
 * otherwise grow into a long flow sequence.
 */
export function editYamlFile(path: string, edit: (doc: Document, yaml: YamlLib) => void): void {
  const yaml = getYaml();
  const doc = yaml.parseDocument(readFileSync(path, 'utf8'));
  edit(doc, yaml);
  yaml.visit(doc, {
    Collection(_, node) {
      if (node.flow && node.items.length > 0) node.flow = false;
    },
  });
  writeFileSync(path, doc.toString({ lineWidth: 0 }));
}

export function stringifyYaml(value: unknown): string {
  return getYaml().stringify(value, { lineWidth: 0 });
}
