import { describe, expect, it } from 'vitest';
import { isSchemaError } from './errors.ts';
import { type Infer, t } from './schema.ts';
import { createValidator, getFieldPath } from './validator.ts';

const item = t.object({
  name: t.string({ minLength: 1, maxLength: 40 }),
  price: t.number({ minimum: 0 }),
  tags: t.optional(t.array(t.string(), { maxItems: 3 })),
  kind: t.optional(t.enum(['book', 'game'])),
  owner: t.optional(t.object({ email: t.string({ format: 'email' }) })),
});

describe('t schema builder', () => {
  it('emits plain JSON Schema with required keys and closed objects', () => {
    expect(item.jsonSchema).toMatchObject({
      type: 'object',
      required: ['name', 'price'],
      additionalProperties: false,
      properties: { kind: { enum: ['book', 'game'] }, tags: { type: 'array', items: { type: 'string' }, maxItems: 3 } },
    });
  });

  it('infers the static type of the accepted values', () => {
    const value: Infer<typeof item> = { name: 'x', price: 1, kind: 'book' };
    // @ts-expect-error price is required
    const missing: Infer<typeof item> = { name: 'x' };
    expect([value, missing]).toHaveLength(2);
  });
});

describe('Validator', () => {
  const v = createValidator();

  it('accepts a valid value and returns it typed', () => {
    const result = v.validate(item, { name: 'Dune', price: 9.5, tags: ['sf'] });
    expect(result).toEqual({ ok: true, value: { name: 'Dune', price: 9.5, tags: ['sf'] } });
  });

  it.each([
    { title: 'missing required field', input: { price: 1 }, expected: [{ field: 'name', rule: 'required' }] },
    { title: 'wrong type', input: { name: 'a', price: 'free' }, expected: [{ field: 'price', rule: 'type' }] },
    {
      title: 'unknown property',
      input: { name: 'a', price: 1, colour: 'red' },
      expected: [{ field: 'colour', rule: 'additionalProperties' }],
    },
    {
      title: 'nested format',
      input: { name: 'a', price: 1, owner: { email: 'nope' } },
      expected: [{ field: 'owner.email', rule: 'format' }],
    },
    {
      title: 'array element',
      input: { name: 'a', price: 1, tags: ['ok', 5] },
      expected: [{ field: 'tags[1]', rule: 'type' }],
    },
    { title: 'enum miss', input: { name: 'a', price: 1, kind: 'film' }, expected: [{ field: 'kind', rule: 'enum' }] },
    { title: 'not an object at all', input: 'hello', expected: [{ field: '', rule: 'type' }] },
  ])('reports $title as one issue per field', ({ input, expected }) => {
    const result = v.validate(item, input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map(({ field, rule }) => ({ field, rule }))).toEqual(expected);
  });

  it('reports every failing field, once each', () => {
    const result = v.validate(item, { name: '', price: -1, tags: [1, 2, 3, 4] });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((i) => i.field).sort()).toEqual([
        'name',
        'price',
        'tags',
        'tags[0]',
        'tags[1]',
        'tags[2]',
        'tags[3]',
      ]);
      expect(new Set(result.issues.map((i) => i.field)).size).toBe(result.issues.length);
    }
  });

  it('never echoes the rejected value in messages', () => {
    const result = v.validate(item, { name: 'a', price: 1, kind: '<script>secret</script>' });
    expect(JSON.stringify(result)).not.toContain('secret');
  });

  it('coerces text for query-style validators only', () => {
    const q = t.object({
      limit: t.integer({ minimum: 1, maximum: 100, default: 20 }),
      ids: t.optional(t.array(t.integer())),
    });
    expect(createValidator({ coerceTypes: true }).validate(q, { limit: '5', ids: '7' })).toEqual({
      ok: true,
      value: { limit: 5, ids: [7] },
    });
    expect(createValidator({ coerceTypes: true }).validate(q, {})).toEqual({ ok: true, value: { limit: 20 } });
    expect(createValidator().validate(q, { limit: '5' }).ok).toBe(false);
  });

  it.each([
    { title: 'unknown keyword', schema: { type: 'string', minLenght: 3 } },
    { title: 'bad type name', schema: { type: 'strng' } },
    { title: 'unresolvable $ref', schema: { $ref: '#/$defs/missing' } },
    { title: 'unknown format', schema: { type: 'string', format: 'not-a-format' } },
  ])('refuses an invalid schema ($title) at compile time', ({ schema }) => {
    let error: unknown;
    try {
      createValidator().compile(t.json(schema));
    } catch (e) {
      error = e;
    }
    expect(isSchemaError(error)).toBe(true);
  });
});

describe('custom formats', () => {
  it('validates with a RegExp or a predicate format', () => {
    const v = createValidator({ formats: { sku: /^[A-Z]{3}-\d{4}$/, even: (s: string) => s.length % 2 === 0 } });
    const schema = t.object({ sku: t.string({ format: 'sku' }), code: t.string({ format: 'even' }) });
    expect(v.validate(schema, { sku: 'ABC-1234', code: 'ab' }).ok).toBe(true);
    const bad = v.validate(schema, { sku: 'abc', code: 'abc' });
    expect(bad.ok ? [] : bad.issues.map((i) => `${i.field}:${i.rule}`).sort()).toEqual(['code:format', 'sku:format']);
  });

  it('refuses a malformed custom format at construction', () => {
    expect(() => createValidator({ formats: { 'bad name': /x/ } })).toThrow('invalid custom format');
    expect(() => createValidator({ formats: { ok: 'not a regexp' as never } })).toThrow('invalid custom format');
  });
});

describe('getFieldPath', () => {
  it.each([
    ['', undefined, ''],
    ['', 'name', 'name'],
    ['/items/2/name', undefined, 'items[2].name'],
    ['/a~1b', 'c~d', 'a/b.c~d'],
  ])('maps %s + %s to %s', (pointer, child, expected) => {
    expect(getFieldPath(pointer, child)).toBe(expected);
  });
});
