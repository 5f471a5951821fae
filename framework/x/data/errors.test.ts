import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DATA_ERRORS, DataError, assertDataOption, isDataError } from './errors.ts';
import { describeEndpoint, redactSecrets, sanitizeDriverError } from './redact.ts';

describe('x/data errors', () => {
  it('registers every code with the same status in specs/error-codes.yaml', () => {
    const registry = parse(readFileSync(new URL('../../../specs/error-codes.yaml', import.meta.url), 'utf8')) as {
      codes: Array<{ code: string; status: number; module: string }>;
    };
    const ours = registry.codes.filter((c) => c.module === 'x/data');
    expect(Object.fromEntries(ours.map((c) => [c.code, c.status]))).toEqual(
      Object.fromEntries(Object.entries(DATA_ERRORS).map(([code, e]) => [code, e.status])),
    );
  });

  it('brands errors, keeps the fixed message and the SQLSTATE, and never renders the cause', () => {
    const err = new DataError('PLUMEGO_ERR_DATA_QUERY', {
      sqlState: '23505',
      cause: new Error('Key (email)=(a@b.c) already exists'),
    });
    expect(isDataError(err)).toBe(true);
    expect(isDataError(err, 'PLUMEGO_ERR_DATA_QUERY')).toBe(true);
    expect(isDataError(err, 'PLUMEGO_ERR_DATA_CLOSED')).toBe(false);
    expect(isDataError({ code: 'PLUMEGO_ERR_DATA_QUERY' })).toBe(false);
    expect(isDataError(null)).toBe(false);
    expect(err).toMatchObject({ message: 'database query failed', status: 500, sqlState: '23505' });
    expect(() => assertDataOption(false, 'maxConnections')).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_DATA_INVALID_OPTIONS', reason: 'field:maxConnections' }),
    );
    expect(() => assertDataOption(true, 'x')).not.toThrow();
  });
});

describe('redaction', () => {
  const cases = [
    {
      input: 'connect to postgres://app:s3cret@db.internal:5432/prod failed',
      expected: 'connect to postgres://***@db.internal:5432/prod failed',
    },
    { input: 'redis://:pw@127.0.0.1:6379', expected: 'redis://***@127.0.0.1:6379' },
    { input: 'host=db password=s3cret user=app', expected: 'host=db password=*** user=app' },
    { input: "PWD: 'quoted secret' rest", expected: 'PWD=*** rest' },
    { input: 'nothing to hide', expected: 'nothing to hide' },
  ];
  for (const { input, expected } of cases) {
    it(`redacts ${JSON.stringify(input.slice(0, 24))}`, () => {
      expect(redactSecrets(input)).toBe(expected);
    });
  }

  it('describes an endpoint without user or password', () => {
    expect(describeEndpoint('postgres://app:s3cret@db:5433/prod')).toBe('postgres://db:5433/prod');
    expect(describeEndpoint('redis://:pw@cache')).toBe('redis://cache');
    expect(describeEndpoint('not a url')).toBe('invalid-url');
  });

  it('keeps code and SQLSTATE of a driver error and drops its message and detail', () => {
    const raw = Object.assign(new Error('password authentication failed for user "app" at postgres://app:pw@h'), {
      code: '28P01',
      detail: 'Key (x)=(secret)',
      severity: 'FATAL',
    });
    const safe = sanitizeDriverError(raw);
    expect(safe.message).toBe('Error (28P01)');
    expect(safe).toMatchObject({ code: '28P01', severity: 'FATAL' });
    expect(JSON.stringify({ ...safe })).not.toContain('secret');
    expect(sanitizeDriverError('plain string').message).toBe('Error');
  });
});
