import { describe, expect, it } from 'vitest';
import { QueryParams } from './query-params.ts';

/** What the list route used before QueryParams: URLSearchParams end to end. */
function reference(raw: string, name: string, value: string): { pairs: [string, string][]; out: string } {
  const u = new URLSearchParams(raw);
  const pairs = [...u];
  u.set(name, value);
  return { pairs, out: u.toString() };
}

function pairsOf(p: QueryParams): [string, string][] {
  return p.names.map((n, i) => [n, p.values[i]!]);
}

const TRICKY = [
  '',
  'a',
  'a=',
  '=a',
  '=',
  '&',
  '&&',
  'a=1&&b=2&',
  'a=1&a=2&a=3',
  'a=b=c',
  'page=1&page=2&x=y',
  'x=1&page=9',
  '?a=1',
  '??a=1',
  'a?b=1',
  '%',
  '%zz=1',
  'a%3Db=c%26d',
  'a+b=c+d',
  'name[contains]=x&priority[in]=0,2',
  'q=%E2%9C%93',
  'q=%ED%A0%80',
  'q=caf\u00e9',
  'x=<script>&y="quoted"',
  "s=it's(~!)*-._",
  'sort=-name,id&page_size=20',
  'cursor=WyJwMiIsM10&sort=priority',
  'a=%20b',
  'tab=\t',
  'page',
  'PAGE=3&page=4',
];

describe('QueryParams', () => {
  it.each(TRICKY)('splits %j into the pairs URLSearchParams gives and writes set(page) back byte for byte', (raw) => {
    const p = QueryParams.parse(raw);
    const ref = reference(raw, 'page', '7');
    expect(pairsOf(p)).toEqual(ref.pairs);
    expect(p.toStringWith('page', '7')).toBe(ref.out);
    expect(QueryParams.from(new URLSearchParams(raw)).toStringWith('page', '7')).toBe(ref.out);
  });

  it('matches URLSearchParams on random queries of URL characters, escapes and separators', () => {
    const alphabet = [
      'a',
      'b',
      'Z',
      '0',
      '9',
      '=',
      '&',
      '&',
      '%',
      '%2',
      '%41',
      '%e9',
      '+',
      '?',
      '[',
      ']',
      ',',
      '-',
      '_',
      '.',
      '~',
      '*',
      '!',
      "'",
      '(',
      ')',
      '<',
      '>',
      '"',
      ';',
      ':',
      '@',
      '/',
      '$',
    ];
    let seed = 42;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 2000; n++) {
      let raw = '';
      const len = Math.floor(next() * 16);
      for (let i = 0; i < len; i++) raw += alphabet[Math.floor(next() * alphabet.length)];
      const value = next() < 0.5 ? '2' : 'a b&c=d/é';
      const p = QueryParams.parse(raw);
      const ref = reference(raw, 'cursor', value);
      expect(pairsOf(p), raw).toEqual(ref.pairs);
      expect(p.toStringWith('cursor', value), raw).toBe(ref.out);
    }
  });

  it('fills one template with several values, each as URLSearchParams#set would write it', () => {
    for (const raw of ['page=2&sort=-name&page=3&x=%20', 'sort=name', '', 'a+b=1&page']) {
      const template = QueryParams.parse(raw).template('page');
      for (const value of ['1', '10', 'a b&c'])
        expect(template.with(value), raw).toBe(reference(raw, 'page', value).out);
    }
  });

  it('reads like URLSearchParams: first value, every value, presence, names once in first-seen order', () => {
    const p = QueryParams.parse('b=1&a=2&b=3&c&a=4');
    expect(p.get('b')).toBe('1');
    expect(p.get('c')).toBe('');
    expect(p.get('d')).toBeNull();
    expect(p.getAll('a')).toEqual(['2', '4']);
    expect(p.getAll('d')).toEqual([]);
    expect([p.has('c'), p.has('d')]).toEqual([true, false]);
    expect(p.uniqueNames()).toEqual(['b', 'a', 'c']);
  });
});
