/**
 * model.ts is written by hand; the JSON Schemas are what the loader enforces. This test walks each
 * spec kind's schema beside its TypeScript type (ts-morph reads model.ts) and fails on any key that
 * one side has and the other lacks, a required key typed optional (or the reverse) and an enum whose
 * values differ — so a schema change that the types do not follow cannot pass unnoticed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Project, type Type } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { SPEC_KINDS, type SchemaKind } from './spec-kinds.ts';

type Schema = Record<string, unknown>;

const project = new Project({
  compilerOptions: { strict: true, exactOptionalPropertyTypes: true },
  skipAddingFilesFromTsConfig: true,
});
const model = project.addSourceFileAtPath(fileURLToPath(new URL('./model.ts', import.meta.url)));
const readSchema = (kind: SchemaKind): Schema =>
  JSON.parse(
    readFileSync(new URL(`../../specs/schemas/${SPEC_KINDS[kind].schema}`, import.meta.url), 'utf8'),
  ) as Schema;
const typeOf = (name: string): Type => (model.getInterface(name) ?? model.getTypeAliasOrThrow(name)).getType();

/** Where each kind's document (or its list items) is typed, and the keys the loader adds beside the file's own. */
const TYPED: Partial<
  Record<SchemaKind, { readonly type: string; readonly at?: readonly string[]; readonly added?: readonly string[] }>
> = {
  repo: { type: 'RepoSpec' },
  dependencyRules: { type: 'DependencyRulesSpec' },
  taskRouting: { type: 'TaskRoutingSpec' },
  taxonomy: { type: 'TaxonomySpec' },
  gateProfiles: { type: 'GateProfilesSpec' },
  checks: { type: 'ChecksSpec' },
  errorCodes: { type: 'ErrorCodeEntry', at: ['codes', '[]'] },
  releases: { type: 'ReleasesSpec' },
  baseline: { type: 'BaselineEntry', at: ['entries', '[]'] },
  manifest: { type: 'ModuleManifest' },
  card: { type: 'TaskCard', added: ['file', 'folder'] },
  milestone: { type: 'Milestone', added: ['file'] },
};

function resolve(root: Schema, schema: Schema): Schema {
  const ref = schema['$ref'];
  if (typeof ref !== 'string') return schema;
  const target = ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Schema)[key], root);
  return resolve(root, target as Schema);
}

function elementOf(type: Type): Type | undefined {
  const t = type.getNonNullableType();
  if (t.isArray() || t.isReadonlyArray?.()) return t.getArrayElementType() ?? t.getTypeArguments()[0];
  const name = t.getSymbol()?.getName();
  return name === 'ReadonlyArray' || name === 'Array' ? t.getTypeArguments()[0] : undefined;
}

function literals(type: Type): unknown[] | undefined {
  const t = type.getNonNullableType();
  const parts = t.isUnion() ? t.getUnionTypes() : [t];
  if (!parts.every((p) => p.isLiteral() || p.isBooleanLiteral())) return undefined;
  return parts.map((p) => (p.isBooleanLiteral() ? p.getText() === 'true' : p.getLiteralValue())).sort();
}

/** Differences between a schema node and a type, as `path: what` lines. */
function compare(root: Schema, node: Schema, type: Type, path: string, added: readonly string[] = []): string[] {
  const schema = resolve(root, node);
  const out: string[] = [];
  const t = type.getNonNullableType();
  if (Array.isArray(schema['enum'])) {
    const values = literals(t);
    const wanted = [...(schema['enum'] as unknown[])].sort();
    if (values && JSON.stringify(values) !== JSON.stringify(wanted))
      out.push(`${path}: enum ${JSON.stringify(wanted)} typed as ${JSON.stringify(values)}`);
    return out;
  }
  if (schema['type'] === 'array' && schema['items'] && typeof schema['items'] === 'object') {
    const element = elementOf(t);
    if (!element) return [`${path}: an array in the schema, ${t.getText()} in the type`];
    return compare(root, schema['items'] as Schema, element, `${path}[]`);
  }
  const properties = schema['properties'] as Record<string, Schema> | undefined;
  if (properties) {
    const required = new Set((schema['required'] as string[] | undefined) ?? []);
    const typed = new Map(t.getProperties().map((p) => [p.getName(), p]));
    for (const [key, sub] of Object.entries(properties)) {
      const prop = typed.get(key);
      if (!prop) {
        out.push(`${path}.${key}: in the schema, not in the type`);
        continue;
      }
      const optional = prop.isOptional();
      if (required.has(key) && optional) out.push(`${path}.${key}: required by the schema, optional in the type`);
      if (!required.has(key) && !optional) out.push(`${path}.${key}: optional in the schema, required in the type`);
      out.push(...compare(root, sub, prop.getTypeAtLocation(model), `${path}.${key}`));
    }
    for (const key of typed.keys()) {
      if (!(key in properties) && !added.includes(key)) out.push(`${path}.${key}: in the type, not in the schema`);
    }
    return out;
  }
  const values = schema['additionalProperties'];
  if (schema['type'] === 'object' && values && typeof values === 'object') {
    const index = t.getStringIndexType();
    if (!index) return [`${path}: a map in the schema, ${t.getText()} in the type`];
    return compare(root, values as Schema, index, `${path}{}`);
  }
  return out;
}

/** Deliberate differences, each with its reason. */
const ALLOWED: Readonly<Record<string, string>> = {
  // A minimal repository without gate-profiles.yaml reads profile.ts's empty spec, which has neither.
  'GateProfilesSpec.areas': 'optional for the minimal profile',
  'GateProfilesSpec.fallback': 'optional for the minimal profile',
};

// The first type query loads TypeScript's lib files (about a second; more on a busy machine).
describe('model.ts against specs/schemas', { timeout: 60_000 }, () => {
  for (const [kind, typed] of Object.entries(TYPED) as [SchemaKind, NonNullable<(typeof TYPED)[SchemaKind]>][]) {
    it(`${kind}: ${SPEC_KINDS[kind].schema} and ${typed.type} name the same keys`, () => {
      const root = readSchema(kind);
      const node = (typed.at ?? []).reduce<Schema>((n, key) => {
        const s = resolve(root, n);
        return (key === '[]' ? s['items'] : (s['properties'] as Record<string, Schema>)[key]) as Schema;
      }, root);
      const diffs = compare(root, node, typeOf(typed.type), typed.type, typed.added).filter(
        (d) => !(d.split(':')[0]! in ALLOWED),
      );
      expect(diffs).toEqual([]);
    });
  }

  it('reports a key the type lacks, a required key typed optional and a changed enum', () => {
    const root: Schema = {
      type: 'object',
      required: ['id', 'status'],
      properties: { id: { type: 'string' }, status: { enum: ['a', 'b'] }, extra: { type: 'string' } },
    };
    const file = project.createSourceFile(
      'probe.ts',
      "export interface Probe { readonly id?: string; readonly status: 'a' | 'c' }",
      { overwrite: true },
    );
    const diffs = compare(root, root, file.getInterfaceOrThrow('Probe').getType(), 'Probe');
    expect(diffs).toEqual([
      'Probe.id: required by the schema, optional in the type',
      'Probe.status: enum ["a","b"] typed as ["a","c"]',
      'Probe.extra: in the schema, not in the type',
    ]);
  });
});
