import { stringify } from 'yaml';
import type { OpenAPIDocument } from './document.ts';

export function toJson(doc: OpenAPIDocument): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

/**
 * YAML without anchors: one schema object reused by several operations would otherwise come out as
 * `&a1`/`*a1` aliases, which many OpenAPI tools reject.
 */
export function toYaml(doc: OpenAPIDocument): string {
  return stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 });
}
