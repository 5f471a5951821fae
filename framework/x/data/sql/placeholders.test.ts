import { describe, it, expect } from 'vitest';
import { toNumberedStatement } from './placeholders.ts';

const cases = [
  {
    title: 'positional',
    sql: 'SELECT * FROM t WHERE a = ? AND b = ?',
    params: [1, 2],
    text: 'SELECT * FROM t WHERE a = $1 AND b = $2',
    values: [1, 2],
  },
  {
    title: 'named, repeated name reuses its slot',
    sql: 'SELECT @a, @b, @a',
    params: { a: 1, b: 2 },
    text: 'SELECT $1, $2, $1',
    values: [1, 2],
  },
  {
    title: 'question mark in a string literal',
    sql: "SELECT '?', 'it''s ?' , ?",
    params: ['x'],
    text: "SELECT '?', 'it''s ?' , $1",
    values: ['x'],
  },
  {
    title: 'quoted identifier',
    sql: 'SELECT "we?ird" FROM t WHERE x = ?',
    params: [1],
    text: 'SELECT "we?ird" FROM t WHERE x = $1',
    values: [1],
  },
  {
    title: 'line and block comments',
    sql: 'SELECT 1 -- ?\n/* @x ? */ + ?',
    params: [2],
    text: 'SELECT 1 -- ?\n/* @x ? */ + $1',
    values: [2],
  },
  {
    title: 'dollar-quoted body',
    sql: 'SELECT $fn$ ? @x $fn$, $$?$$, ?',
    params: [3],
    text: 'SELECT $fn$ ? @x $fn$, $$?$$, $1',
    values: [3],
  },
  {
    title: 'jsonb operators are not placeholders',
    sql: "SELECT doc ?| array['a'], doc ?& array['b'], doc @> '{}' FROM t WHERE id = ?",
    params: [4],
    text: "SELECT doc ?| array['a'], doc ?& array['b'], doc @> '{}' FROM t WHERE id = $1",
    values: [4],
  },
  {
    title: 'an email-like token is not a named parameter',
    sql: "SELECT 'a@b' , x@y",
    params: [],
    text: "SELECT 'a@b' , x@y",
    values: [],
  },
  { title: 'no parameters', sql: 'SELECT 1', params: undefined, text: 'SELECT 1', values: [] },
];

describe('toNumberedStatement', () => {
  for (const c of cases) {
    it(c.title, () => {
      expect(toNumberedStatement(c.sql, c.params)).toEqual({ text: c.text, values: c.values });
    });
  }

  const bad = [
    { title: 'too few positional values', sql: 'SELECT ?, ?', params: [1], reason: 'parameter_count' },
    { title: 'too many positional values', sql: 'SELECT ?', params: [1, 2], reason: 'parameter_count' },
    { title: 'a missing named value', sql: 'SELECT @a, @b', params: { a: 1 }, reason: 'missing_parameter' },
    { title: 'an inherited property is not a value', sql: 'SELECT @toString', params: {}, reason: 'missing_parameter' },
    { title: 'an array for named parameters', sql: 'SELECT @a', params: [1], reason: 'named_parameters_expected' },
    {
      title: 'an object for positional parameters',
      sql: 'SELECT ?',
      params: { a: 1 },
      reason: 'positional_parameters_expected',
    },
    { title: 'mixed styles', sql: 'SELECT ?, @a', params: [1], reason: 'mixed_parameters' },
  ];
  for (const c of bad) {
    it(`refuses ${c.title}`, () => {
      expect(() => toNumberedStatement(c.sql, c.params)).toThrow(
        expect.objectContaining({ code: 'PLUMEGO_ERR_DATA_QUERY', reason: c.reason }),
      );
    });
  }
});
