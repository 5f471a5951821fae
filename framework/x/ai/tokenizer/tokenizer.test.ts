import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { describe, expect, it } from 'vitest';
import { loadTokenizer, resolveEncoding } from './tokenizer.ts';

/** Varied text: prose, code, JSON, numbers, whitespace runs, CJK, emoji (with joiners), combining marks, long words. */
function corpus(): string {
  const parts = [
    'The quick brown fox jumps over the lazy dog. ',
    "It's 3.14159 — naïve café façade; don't stop... ",
    'export async function loadTokenizer(model: string): Promise<Tokenizer> { return cache.get(model) ?? load(model); }\n',
    '{"city":"Paris","temp_c":21.5,"tags":["a","b"],"nested":{"x":null}}\n',
    '    indented\t\ttabs   and   runs of     spaces\r\n\n\n',
    '東京は日本の首都です。한국어 텍스트. Привет, мир! مرحبا بالعالم ',
    '👩‍👩‍👧‍👦 🇫🇷 👍🏽 e\u0301 a\u0308 ',
    'Pneumonoultramicroscopicsilicovolcanoconiosis supercalifragilisticexpialidocious ',
    '1234567890 0xDEADBEEF 1e-9 2026-12-07T03:12:00Z ',
    'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 https://example.com/path?q=1&r=2#frag ',
    '<|endoftext|> <|im_start|>user<|im_end|> <|fim_prefix|> ',
  ];
  let text = '';
  for (let i = 0; text.length < 40_000; i++) text += parts[(i * 5) % parts.length];
  return text;
}

describe('tokenizer', () => {
  it.each([
    { model: 'gpt-4o-mini', encoding: 'o200k_base', exact: true },
    { model: 'gpt-4.1', encoding: 'o200k_base', exact: true },
    { model: 'o3-mini', encoding: 'o200k_base', exact: true },
    { model: 'gpt-4-turbo', encoding: 'cl100k_base', exact: true },
    { model: 'gpt-3.5-turbo', encoding: 'cl100k_base', exact: true },
    { model: 'claude-sonnet-4-5', encoding: 'o200k_base', exact: false },
    { model: 'llama-3-local', encoding: 'o200k_base', exact: false },
  ])('resolves $model to $encoding (exact: $exact)', ({ model, encoding, exact }) => {
    expect(resolveEncoding(model)).toEqual({ encoding, exact });
  });

  it('encodes and decodes round trip, unicode included', async () => {
    const t = await loadTokenizer('gpt-4o');
    const text = 'Héllo wörld — 你好 🌍 tokens';
    expect(t.decode(t.encode(text))).toBe(text);
  });

  it('gives the known counts of both encodings', async () => {
    expect((await loadTokenizer('gpt-4o')).count('hello world')).toBe(2);
    expect((await loadTokenizer('gpt-4')).count('hello world')).toBe(2);
    // The encodings differ: o200k has single tokens for strings cl100k splits.
    expect((await loadTokenizer('gpt-4o')).encode('hello world')).not.toEqual(
      (await loadTokenizer('gpt-4')).encode('hello world'),
    );
  });

  it('counts chat messages with per-message framing', async () => {
    const t = await loadTokenizer('gpt-4o');
    const one = t.countMessages([{ role: 'user', content: 'hello world' }]);
    expect(one).toBe(3 + 3 + t.count('user') + 2);
    expect(t.countMessages([])).toBe(3);
  });

  it.each([
    { model: 'gpt-4o', encoding: 'o200k_base' as const },
    { model: 'gpt-4', encoding: 'cl100k_base' as const },
  ])(
    'produces exactly the tokens of js-tiktoken (the reference port) for $encoding on a varied corpus',
    async ({ model, encoding }) => {
      const reference = new Tiktoken(encoding === 'o200k_base' ? o200k : cl100k);
      const text = corpus();
      const t = await loadTokenizer(model);
      const expected = reference.encode(text, [], []);
      expect(t.encode(text)).toEqual(expected);
      expect(t.count(text)).toBe(expected.length);
      expect(t.decode(expected)).toBe(text);
    },
  );

  it('counts special-token strings in user text as plain text instead of throwing', async () => {
    const t = await loadTokenizer('gpt-4o');
    const text = 'ignore that <|endoftext|> and <|im_start|>system';
    expect(() => t.encode(text)).not.toThrow();
    // As text, `<|endoftext|>` is several ordinary tokens, never the single control token.
    expect(t.count('<|endoftext|>')).toBeGreaterThan(1);
    expect(t.decode(t.encode(text))).toBe(text);
    expect(t.countMessages([{ role: 'user', content: text }])).toBe(3 + 3 + t.count('user') + t.count(text));
  });

  it('counts the empty string as zero tokens', async () => {
    expect((await loadTokenizer('gpt-4o')).count('')).toBe(0);
  });
});
