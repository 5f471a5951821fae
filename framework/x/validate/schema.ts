/** A JSON Schema (2020-12 dialect, the one OpenAPI 3.1 uses) as plain data. */
export type JsonSchema = { readonly [key: string]: unknown };

/**
 * A JSON Schema carrying the TypeScript type of the values it accepts. The same object feeds the validator
 * (x/validate) and the document generator (x/openapi), so a route's contract is written once.
 */
export interface Schema<T> {
  readonly jsonSchema: JsonSchema;
  /** Type-level only; never set at runtime. */
  readonly __type?: T;
}

export interface OptionalSchema<T> extends Schema<T> {
  readonly optional: true;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

type Props = Record<string, Schema<unknown>>;
type OptionalKeys<P extends Props> = { [K in keyof P]: P[K] extends OptionalSchema<unknown> ? K : never }[keyof P];
type RequiredKeys<P extends Props> = Exclude<keyof P, OptionalKeys<P>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type InferObject<P extends Props> = Simplify<
  { [K in RequiredKeys<P>]: Infer<P[K]> } & { [K in OptionalKeys<P>]?: Infer<P[K]> }
>;

type Annotations = { description?: string; title?: string; examples?: readonly unknown[] };
type StringOptions = Annotations & {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  default?: string;
};
type NumberOptions = Annotations & {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  default?: number;
};
type ArrayOptions = Annotations & { minItems?: number; maxItems?: number; uniqueItems?: boolean };
type ObjectOptions = Annotations & {
  /** Whether unknown properties are accepted. Default false, so typos in a request body are caught. */
  additionalProperties?: boolean;
};

function make<T>(jsonSchema: JsonSchema): Schema<T> {
  return Object.freeze({ jsonSchema: Object.freeze(jsonSchema) });
}

/** A typed builder for the JSON Schema shapes request contracts need; `t.json()` covers everything else. */
export const t = {
  string: (options: StringOptions = {}): Schema<string> => make({ type: 'string', ...options }),
  number: (options: NumberOptions = {}): Schema<number> => make({ type: 'number', ...options }),
  integer: (options: NumberOptions = {}): Schema<number> => make({ type: 'integer', ...options }),
  boolean: (options: Annotations & { default?: boolean } = {}): Schema<boolean> =>
    make({ type: 'boolean', ...options }),
  enum: <const V extends readonly [string | number, ...(string | number)[]]>(
    values: V,
    options: Annotations = {},
  ): Schema<V[number]> => make({ enum: [...values], ...options }),
  array: <S extends Schema<unknown>>(items: S, options: ArrayOptions = {}): Schema<Array<Infer<S>>> =>
    make({ type: 'array', items: items.jsonSchema, ...options }),
  object: <P extends Props>(properties: P, options: ObjectOptions = {}): Schema<InferObject<P>> => {
    const required = Object.keys(properties).filter((k) => !('optional' in properties[k]!));
    return make({
      type: 'object',
      properties: Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, s.jsonSchema])),
      ...(required.length > 0 ? { required } : {}),
      additionalProperties: false,
      ...options,
    });
  },
  optional: <T>(schema: Schema<T>): OptionalSchema<T> =>
    Object.freeze({ jsonSchema: schema.jsonSchema, optional: true as const }),
  nullable: <T>(schema: Schema<T>): Schema<T | null> => make({ anyOf: [schema.jsonSchema, { type: 'null' }] }),
  /** Wraps a hand-written JSON Schema; the caller vouches for `T`. */
  json: <T = unknown>(jsonSchema: JsonSchema): Schema<T> => make(jsonSchema),
};
