import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { Violation } from './violation.ts';
import type { YamlFile } from './read-yaml.ts';
import { SPEC_KINDS, type SchemaKind } from './spec-kinds.ts';

export type { SchemaKind } from './spec-kinds.ts';

/**
 * The minimal profile's schemas are the full ones with fewer required keys, derived here so every
 * property keeps one definition: a repository that only wants boundary checks writes layers and
 * modules, and every key it does write is checked exactly as in the full profile.
 */
const MINIMAL: Partial<Record<SchemaKind, (schema: Record<string, unknown>) => void>> = {
  repoMinimal: (schema) => {
    schema['required'] = ['profile', 'identity', 'layers'];
    const props = schema['properties'] as Record<string, Record<string, unknown>>;
    props['profile'] = { const: 'minimal', description: (props['profile'] as { description?: string }).description };
    props['identity']!['required'] = ['name', 'package', 'library_root'];
    props['layers']!['required'] = [];
  },
  manifestMinimal: (schema) => {
    schema['required'] = ['name', 'path', 'layer', 'allowed_imports'];
  },
};

// The schemas ship with the tool (the repository's own specs/schemas), so a governed repository
// cannot weaken the rules by editing its copy.
const SCHEMA_DIR = fileURLToPath(new URL('../../specs/schemas/', import.meta.url));

let ajv: Ajv | undefined;
const compiled = new Map<SchemaKind, ValidateFunction>();

function getValidator(kind: SchemaKind): ValidateFunction {
  let validate = compiled.get(kind);
  if (!validate) {
    // Loaded on first use: a run whose specs all come from the spec cache never compiles a schema.
    ajv ??= new (createRequire(import.meta.url)('ajv') as typeof import('ajv')).Ajv({
      allErrors: true,
      strict: true,
      strictRequired: false,
      allowUnionTypes: true,
    });
    const schema = JSON.parse(readFileSync(`${SCHEMA_DIR}${SPEC_KINDS[kind].schema}`, 'utf8')) as Record<
      string,
      unknown
    >;
    const relax = MINIMAL[kind];
    if (relax) {
      relax(schema);
      schema['$id'] = `${String(schema['$id'])}#minimal`;
    }
    validate = ajv.compile(schema);
    compiled.set(kind, validate);
  }
  return validate;
}

/** Validates a parsed YAML file against its schema; each ajv error becomes a positioned violation. */
export function validateAgainstSchema(kind: SchemaKind, yaml: YamlFile, check: string): Violation[] {
  const validate = getValidator(kind);
  if (validate(yaml.data)) return [];
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  return errors.map((error) => toViolation(error, yaml, check, kind));
}

function toViolation(error: ErrorObject, yaml: YamlFile, check: string, kind: SchemaKind): Violation {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  const field = path.length ? path.join('.') : '(document)';
  const schemaFile = `specs/schemas/${SPEC_KINDS[kind].schema}`;
  let message: string;
  let fix: string;
  let at = yaml.locate(path);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      at = yaml.locate([...path, key], { key: true });
      message = `unknown key '${key}'${path.length ? ` in ${field}` : ''}`;
      fix = `Remove '${key}' or correct its spelling; the allowed keys are listed in ${schemaFile}.`;
      break;
    }
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      message = `${path.length ? `${field}: ` : ''}missing required key '${missing}'`;
      fix = `Add '${missing}' (see its description in ${schemaFile}).`;
      break;
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ');
      message = `${field}: ${JSON.stringify(valueAt(yaml.data, path))} is not one of: ${allowed}`;
      fix = `Use one of: ${allowed}.`;
      break;
    }
    case 'maxItems':
    case 'minItems': {
      const limit = (error.params as { limit: number }).limit;
      const count = (valueAt(yaml.data, path) as unknown[] | undefined)?.length ?? 0;
      message =
        error.keyword === 'maxItems'
          ? `${field}: ${count} items, at most ${limit} allowed`
          : count === 0
            ? `${field}: must not be empty`
            : `${field}: ${count} items, at least ${limit} required`;
      fix =
        error.keyword === 'maxItems'
          ? `Keep the ${limit} that matter most; merge or drop the rest.`
          : `Add at least ${limit} item(s); an empty required list is never a silent default.`;
      break;
    }
    case 'pattern': {
      message = `${field}: ${JSON.stringify(valueAt(yaml.data, path))} does not match ${String((error.params as { pattern: string }).pattern)}`;
      fix = `Correct the value's format (see ${schemaFile}).`;
      break;
    }
    case 'type': {
      message = `${field}: must be ${String((error.params as { type: string }).type)}`;
      fix = `Change the value's type (see ${schemaFile}).`;
      break;
    }
    default:
      message = `${field}: ${error.message ?? 'is invalid'}`;
      fix = `See ${schemaFile}.`;
  }
  return {
    check,
    rule: `schema/${error.keyword}`,
    severity: 'error',
    file: at.file,
    line: at.line,
    column: at.column,
    message,
    fix,
    rationale:
      'Specs and manifests are validated against the JSON Schemas in specs/schemas/ so every tool reads the same shape.',
  };
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let value: unknown = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}
