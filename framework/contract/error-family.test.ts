import { describe, expect, it } from 'vitest';
import { InvalidErrorFamilyError, defineErrorFamily, getErrorOptions, type ErrorFamilyInit } from './error-family.ts';

const CODES = { missing: 'DEMO_MISSING', broken: 'DEMO_BROKEN' } as const;
type DemoCode = (typeof CODES)[keyof typeof CODES];
const BRAND = Symbol.for('plumego.test.demo.error');
const family = defineErrorFamily({
  name: 'DemoError',
  brand: BRAND,
  codes: CODES,
  status: { DEMO_MISSING: 404, DEMO_BROKEN: 502 },
});

class DemoError extends Error {
  declare readonly code: DemoCode;
  declare readonly status: number;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;
  constructor(code: DemoCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code, details);
  }
}

const define = (init: Partial<ErrorFamilyInit<string>>): unknown =>
  defineErrorFamily({ name: 'DemoError', brand: BRAND, codes: CODES, ...init } as ErrorFamilyInit<string>);

const reasonOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidErrorFamilyError);
    expect((error as InvalidErrorFamilyError).code).toBe('INVALID_ERROR_FAMILY');
    return (error as InvalidErrorFamilyError).reason;
  }
  throw new Error('expected the definition to be refused');
};

describe('defineErrorFamily', () => {
  it('stamps name, code, status and a frozen copy of the details on a family error', () => {
    const details = { id: 7 };
    const error = new DemoError('DEMO_MISSING', 'no such thing', details);
    details.id = 8;
    expect(error).toMatchObject({ name: 'DemoError', code: 'DEMO_MISSING', status: 404, message: 'no such thing' });
    expect(error.details).toEqual({ id: 7 });
    expect(Object.isFrozen(error.details)).toBe(true);
    expect(new DemoError('DEMO_BROKEN', 'x').status).toBe(502);
  });

  it('keeps a cause when one is given and leaves no cause property otherwise', () => {
    const root = new Error('root');
    expect(new DemoError('DEMO_BROKEN', 'x', {}, root).cause).toBe(root);
    expect('cause' in new DemoError('DEMO_BROKEN', 'x')).toBe(false);
    expect(getErrorOptions(undefined)).toBeUndefined();
    expect(getErrorOptions(null)).toEqual({ cause: null });
  });

  it('recognises the brand, also on an error from another copy of the package, and nothing else', () => {
    expect(family.is(new DemoError('DEMO_MISSING', 'x'))).toBe(true);
    const foreign = Object.assign(new Error('copy'), { [Symbol.for('plumego.test.demo.error')]: true });
    expect(family.is(foreign)).toBe(true);
    for (const value of [new Error('plain'), { [BRAND]: 'yes' }, null, undefined, 'DemoError', 42])
      expect(family.is(value)).toBe(false);
    const other = defineErrorFamily({
      name: 'OtherError',
      brand: Symbol.for('plumego.test.other.error'),
      codes: { a: 'OTHER_A' },
    });
    expect(other.is(new DemoError('DEMO_MISSING', 'x'))).toBe(false);
  });

  it('lists its codes in declaration order and answers membership', () => {
    expect(family.codes).toEqual(['DEMO_MISSING', 'DEMO_BROKEN']);
    expect(Object.isFrozen(family.codes)).toBe(true);
    expect(family.hasCode('DEMO_BROKEN')).toBe(true);
    expect(family.hasCode('DEMO_OTHER')).toBe(false);
    expect(family.hasCode(1)).toBe(false);
    expect(family.getStatus('DEMO_MISSING')).toBe(404);
  });

  it('leaves status alone for a family without a status table and reports 500 for it', () => {
    const plain = defineErrorFamily({
      name: 'PlainError',
      brand: Symbol.for('plumego.test.plain.error'),
      codes: { a: 'PLAIN_A' },
    });
    const error = new Error('x');
    plain.stamp(error, 'PLAIN_A');
    expect(error).toMatchObject({ name: 'PlainError', code: 'PLAIN_A' });
    expect('status' in error).toBe(false);
    expect('details' in error).toBe(false);
    expect(plain.getStatus('PLAIN_A')).toBe(500);
  });

  it('refuses a code that appears twice', () => {
    expect(reasonOf(() => define({ codes: { a: 'DEMO_SAME', b: 'DEMO_SAME' } }))).toBe('code DEMO_SAME appears twice');
  });

  it('refuses codes that are not UPPER_SNAKE_CASE', () => {
    for (const bad of ['demo_lower', 'DEMO-DASH', 'DEMO__DOUBLE', '_DEMO', 'DEMO_', '1DEMO', '', 'DEMO SPACE']) {
      expect(reasonOf(() => define({ codes: { a: bad } }))).toBe(`code ${JSON.stringify(bad)} is not UPPER_SNAKE_CASE`);
    }
    expect(reasonOf(() => define({ codes: { a: 7 as unknown as string } }))).toBe('code 7 is not UPPER_SNAKE_CASE');
  });

  it('refuses an empty code table or list', () => {
    expect(reasonOf(() => define({ codes: {} }))).toBe('it needs at least one code');
    expect(reasonOf(() => define({ codes: [] }))).toBe('it needs at least one code');
  });

  it('takes its codes as a list too, with the same checks', () => {
    expect(
      defineErrorFamily({
        name: 'ListError',
        brand: Symbol.for('plumego.test.list.error'),
        codes: ['LIST_A', 'LIST_B'],
      }).codes,
    ).toEqual(['LIST_A', 'LIST_B']);
    expect(reasonOf(() => define({ codes: ['DEMO_A', 'DEMO_A'] }))).toBe('code DEMO_A appears twice');
  });

  it('refuses a name that is not an error class name', () => {
    for (const bad of ['demo', 'Demo', 'demoError', '']) {
      expect(reasonOf(() => define({ name: bad }))).toBe('the name must be a PascalCase class name ending in "Error"');
    }
  });

  it('refuses a brand that is not a registered symbol, since only Symbol.for survives two package copies', () => {
    expect(reasonOf(() => define({ brand: Symbol('local') }))).toBe(
      'the brand must be a registered symbol (Symbol.for)',
    );
    expect(reasonOf(() => define({ brand: 'plumego.x.error' as unknown as symbol }))).toBe(
      'the brand must be a registered symbol (Symbol.for)',
    );
  });

  it('refuses a status table that misses a code, holds a non-error status, or names a stranger', () => {
    expect(reasonOf(() => define({ status: { DEMO_MISSING: 404 } }))).toBe(
      'code DEMO_BROKEN needs an error status (400-599)',
    );
    expect(reasonOf(() => define({ status: { DEMO_MISSING: 404, DEMO_BROKEN: 200 } }))).toBe(
      'code DEMO_BROKEN needs an error status (400-599)',
    );
    expect(reasonOf(() => define({ status: { DEMO_MISSING: 404, DEMO_BROKEN: 404.5 } }))).toBe(
      'code DEMO_BROKEN needs an error status (400-599)',
    );
    expect(reasonOf(() => define({ status: { DEMO_MISSING: 404, DEMO_BROKEN: 600 } }))).toBe(
      'code DEMO_BROKEN needs an error status (400-599)',
    );
    expect(reasonOf(() => define({ status: { DEMO_MISSING: 404, DEMO_BROKEN: 502, DEMO_EXTRA: 500 } }))).toBe(
      'the status table names DEMO_EXTRA, which is not a code of the family',
    );
  });

  it('puts the family name and the reason in the message', () => {
    expect(() => define({ name: 'WidgetError', codes: { a: 'bad' } })).toThrow(
      'invalid error family WidgetError: code "bad" is not UPPER_SNAKE_CASE',
    );
  });

  it('returns a frozen family so no module can swap its brand check', () => {
    expect(Object.isFrozen(family)).toBe(true);
  });
});
