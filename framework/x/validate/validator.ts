import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { SchemaError } from './errors.ts';
import type { Schema } from './schema.ts';

/** One failing field: `field` is a dotted path (`items[2].name`; empty for the value itself). */
export interface FieldIssue {
  field: string;
  rule: string;
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

export interface ValidatorOptions {
  /**
   * Coerce strings to the schema's scalar types and single values to one-element arrays. Needed for query
   * strings and path params, which are always text; wrong for JSON bodies. Default false.
   */
  coerceTypes?: boolean;
  /** Fill in `default` values from the schema. Default true. */
  useDefaults?: boolean;
  /** Extra string formats beside ajv-formats' (`{ sku: /^[A-Z]{3}-\d{4}$/ }`). Default none. */
  formats?: Readonly<Record<string, RegExp | ((value: string) => boolean)>>;
}

export interface ResolvedValidatorOptions {
  coerceTypes: boolean;
  useDefaults: boolean;
  formats: Readonly<Record<string, RegExp | ((value: string) => boolean)>>;
}

export function resolveValidatorOptions(options: ValidatorOptions = {}): ResolvedValidatorOptions {
  const formats = options.formats ?? {};
  for (const [name, format] of Object.entries(formats)) {
    if (!/^[A-Za-z][\w-]*$/.test(name) || !(format instanceof RegExp || typeof format === 'function')) {
      throw new SchemaError(
        `invalid custom format ${JSON.stringify(name)}: a name and a RegExp or predicate are required`,
        undefined,
      );
    }
  }
  return { coerceTypes: options.coerceTypes ?? false, useDefaults: options.useDefaults ?? true, formats };
}

function toSegment(token: string): string {
  const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
  return /^\d+$/.test(key) ? `[${key}]` : `.${key}`;
}

/** Turns ajv's JSON Pointer (`/items/2/name`) into the dotted path clients read (`items[2].name`). */
export function getFieldPath(instancePath: string, child?: string): string {
  const tokens = instancePath === '' ? [] : instancePath.slice(1).split('/');
  if (child !== undefined) tokens.push(child.replace(/~/g, '~0').replace(/\//g, '~1'));
  return tokens.map(toSegment).join('').replace(/^\./, '');
}

function toIssue(error: ErrorObject): FieldIssue {
  const params = error.params as Record<string, unknown>;
  const child =
    error.keyword === 'required'
      ? String(params['missingProperty'])
      : error.keyword === 'additionalProperties'
        ? String(params['additionalProperty'])
        : undefined;
  const message =
    error.keyword === 'additionalProperties' ? 'is not an allowed property' : (error.message ?? 'is invalid');
  return { field: getFieldPath(error.instancePath, child), rule: error.keyword, message };
}

/** Keeps the first error per field: one actionable line each, not ajv's cascade of anyOf branches. */
export function getFieldIssues(errors: readonly ErrorObject[] | null | undefined): FieldIssue[] {
  const byField = new Map<string, FieldIssue>();
  for (const error of errors ?? []) {
    const issue = toIssue(error);
    if (!byField.has(issue.field)) byField.set(issue.field, issue);
  }
  return [...byField.values()];
}

/**
 * Compiles schemas once (cached per schema object) and validates plain values. Ajv runs in strict mode so a
 * typo such as `minLenght` is a `SchemaError` at compile time instead of a silently ignored keyword.
 */
export class Validator {
  readonly options: ResolvedValidatorOptions;
  readonly #ajv: Ajv2020;
  readonly #compiled = new WeakMap<object, ValidateFunction>();

  constructor(options: ValidatorOptions = {}) {
    this.options = resolveValidatorOptions(options);
    this.#ajv = new Ajv2020({
      allErrors: true,
      strict: true,
      coerceTypes: this.options.coerceTypes ? 'array' : false,
      useDefaults: this.options.useDefaults,
    });
    addFormats.default(this.#ajv);
    for (const [name, format] of Object.entries(this.options.formats)) this.#ajv.addFormat(name, format);
  }

  /** Compiles now, so wiring code can surface a bad schema at startup. Returns the schema for chaining. */
  compile<S extends Schema<unknown>>(schema: S): S {
    this.#get(schema);
    return schema;
  }

  /** Validates `value`; with coercion or defaults on, the returned value is the (mutated) input. */
  validate<T>(schema: Schema<T>, value: unknown): ValidationResult<T> {
    const fn = this.#get(schema);
    if (fn(value)) return { ok: true, value: value as T };
    return { ok: false, issues: getFieldIssues(fn.errors) };
  }

  #get(schema: Schema<unknown>): ValidateFunction {
    const hit = this.#compiled.get(schema.jsonSchema);
    if (hit) return hit;
    let fn: ValidateFunction;
    try {
      fn = this.#ajv.compile(schema.jsonSchema);
    } catch (error) {
      throw new SchemaError(`invalid schema: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    this.#compiled.set(schema.jsonSchema, fn);
    return fn;
  }
}

export function createValidator(options: ValidatorOptions = {}): Validator {
  return new Validator(options);
}
