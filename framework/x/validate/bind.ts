import { APIError, readJson, type ReadJsonOptions, type Request } from 'plumego/contract';
import type { Schema } from './schema.ts';
import { Validator, type FieldIssue } from './validator.ts';

/** Where a value came from; also the detail key for an issue about the value as a whole. */
export type BindSource = 'body' | 'query' | 'params';

export interface BindOptions extends ReadJsonOptions {
  /** Validator to use. Default: a shared strict one for bodies, a shared coercing one for query and params. */
  validator?: Validator;
}

// Shared, lazily built: an Ajv instance is costly, and compiled schemas are cached per instance.
let bodyValidator: Validator | undefined;
let textValidator: Validator | undefined;
function getDefaultValidator(source: BindSource): Validator {
  if (source === 'body') return (bodyValidator ??= new Validator());
  return (textValidator ??= new Validator({ coerceTypes: true }));
}

/** Most field details one error response carries. */
const MAX_DETAILS = 100;

/**
 * The contract's validation error: 400 `VALIDATION_ERROR` with one detail per failing field
 * (`{"price": "must be >= 0", "tags[1]": "must be string"}`). Messages come from the schema rules,
 * never from the rejected input.
 */
export function createValidationError(issues: readonly FieldIssue[], source: BindSource): APIError {
  const details: Record<string, string> = {};
  for (const issue of issues.slice(0, MAX_DETAILS)) details[issue.field === '' ? source : issue.field] = issue.message;
  // A 1 MiB array of bad items would otherwise echo back as a multi-megabyte error body.
  if (issues.length > MAX_DETAILS) details['_more'] = `${issues.length - MAX_DETAILS} more fields failed`;
  return new APIError({ type: 'validation_failure', message: `${source} validation failed`, details });
}

/** Validates an already-parsed value, throwing the contract's validation error on failure. */
export function assertValid<T>(
  schema: Schema<T>,
  value: unknown,
  source: BindSource = 'body',
  validator?: Validator,
): T {
  const result = (validator ?? getDefaultValidator(source)).validate(schema, value);
  if (!result.ok) throw createValidationError(result.issues, source);
  return result.value;
}

/**
 * Reads, parses and validates a JSON body. Throws an `APIError` ready for `writeError`: 415 for a
 * non-JSON content type, 413 past the size limit, 400 `INVALID_JSON`, or 400 `VALIDATION_ERROR`.
 */
export async function bindJson<T>(r: Request, schema: Schema<T>, options: BindOptions = {}): Promise<T> {
  const { validator, ...read } = options;
  const value = await readJson(r, read);
  return assertValid(schema, value, 'body', validator);
}

/** A repeated key becomes an array; a single one stays a string (coercion turns it into `[x]` if the schema wants an array). */
export function getQueryObject(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const all = query.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

/** Validates the query string, coercing text to the schema's types (`?limit=5` → `5`). */
export function bindQuery<T>(r: Request, schema: Schema<T>, options: { validator?: Validator } = {}): T {
  return assertValid(schema, getQueryObject(r.query), 'query', options.validator);
}

/** Validates the matched route params, coercing text to the schema's types. */
export function bindParams<T>(r: Request, schema: Schema<T>, options: { validator?: Validator } = {}): T {
  const params: Record<string, string> = {};
  const { paramNames, paramValues } = r.state;
  for (let i = 0; i < paramNames.length; i++) params[paramNames[i]!] = paramValues[i]!;
  return assertValid(schema, params, 'params', options.validator);
}
