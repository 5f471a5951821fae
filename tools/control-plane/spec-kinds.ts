/**
 * The one list of document kinds the control plane reads: each kind's JSON Schema (in specs/schemas/)
 * and, for a spec with a fixed place, its file. The loader reads the kinds with a `file` in this
 * order (repo.yaml first: its profile decides how the rest is read), the validator compiles `schema`,
 * and model.test.ts checks each kind's TypeScript type against its schema.
 */
export const SPEC_KINDS = {
  repo: { schema: 'repo.schema.json', file: 'specs/repo.yaml' },
  dependencyRules: { schema: 'dependency-rules.schema.json', file: 'specs/dependency-rules.yaml' },
  taskRouting: { schema: 'task-routing.schema.json', file: 'specs/task-routing.yaml' },
  taxonomy: { schema: 'extension-taxonomy.schema.json', file: 'specs/extension-taxonomy.yaml' },
  gateProfiles: { schema: 'gate-profiles.schema.json', file: 'specs/gate-profiles.yaml' },
  checks: { schema: 'checks.schema.json', file: 'specs/checks.yaml' },
  errorCodes: { schema: 'error-codes.schema.json', file: 'specs/error-codes.yaml' },
  releases: { schema: 'releases.schema.json', file: 'specs/releases.yaml' },
  // The baseline's file is the one dependency-rules.yaml names; manifests, cards and milestones are found by walking.
  baseline: { schema: 'boundary-baseline.schema.json' },
  manifest: { schema: 'module-manifest.schema.json' },
  card: { schema: 'task-card.schema.json' },
  milestone: { schema: 'milestone.schema.json' },
  // The minimal profile validates against the same files with fewer keys required (schemas.ts derives them).
  repoMinimal: { schema: 'repo.schema.json' },
  manifestMinimal: { schema: 'module-manifest.schema.json' },
} as const satisfies Record<string, { readonly schema: string; readonly file?: string }>;

export type SchemaKind = keyof typeof SPEC_KINDS;

/** The kinds that are one file at a fixed place (the specs). */
export type SpecKey = {
  [K in SchemaKind]: (typeof SPEC_KINDS)[K] extends { readonly file: string } ? K : never;
}[SchemaKind];

/** The specs with their files, in reading order. */
export const SPEC_FILES: readonly (readonly [SpecKey, string])[] = Object.entries(SPEC_KINDS).flatMap(
  ([kind, entry]) => ('file' in entry ? [[kind as SpecKey, entry.file] as const] : []),
);
