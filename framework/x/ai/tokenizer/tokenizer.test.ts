import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { describe, expect, it } from 'vitest';
import { isAiTokenizerError } from './errors.ts';
import { loadTokenizer, resolveEncoding } from './tokenizer.ts';

// js-tiktoken parses its ranks in the constructor (~1 s each): one reference per encoding for the whole file.
const references = new Map<string, Tiktoken>();
function reference(encoding: 'o200k_base' | 'cl100k_base'): Tiktoken {
  let r = references.get(encoding);
  if (!r) {
    r = new Tiktoken(encoding === 'o200k_base' ? o200k : cl100k);
    references.set(encoding, r);
  }
  return r;
}

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

/** Texts that stress one path each: long single pieces take the heap merge, others the memo or the byte path. */
const SAMPLES: Record<string, string> = {
  code: 'const x = await fetch(`${base}/v1/chat`, { method: "POST" });\nif (!res.ok) throw new Error(res.statusText);\n',
  prose: "She said it's fine; they'll see. We've gone, I'd say, and you're late. ",
  unicode: 'Ünïcödé façade — 東京 한국어 Привет مرحبا देवनागरी e\u0301 ǅ ʰ 𝐀𝐁𝐜 ٣٤٥ ⅫⅣ ½',
  emoji: '👩‍👩‍👧‍👦🇫🇷👍🏽😀😀😀 🙂'.repeat(20),
  whitespace: ' \t \n\n\r\n   x   \u00a0\u3000 \u2028 trailing   ',
  'long letters': 'a'.repeat(3000),
  'long mixed-case run': 'xQzJvKwPl'.repeat(150),
  'long digits and spaces': ' '.repeat(700) + '1234567890'.repeat(50),
  'long non-ASCII piece': 'ß'.repeat(400) + 'é'.repeat(300),
  'long emoji run': '🙂'.repeat(300),
  'special-token-like': '<|endoftext|><|im_start|>system<|im_end|><|fim_prefix|><|endofprompt|> <|not_special|>',
  'latin1 lookalikes': 'Ã© Ã¤ Â  Ã¼ber',
  'lone surrogates': 'a\ud800b \udc00 \ud83d',
};

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
      const text = corpus();
      const t = await loadTokenizer(model);
      const expected = reference(encoding).encode(text, [], []);
      expect(t.encode(text)).toEqual(expected);
      expect(t.count(text)).toBe(expected.length);
      expect(t.decode(expected)).toBe(text);
    },
  );

  it.each([
    { model: 'gpt-4o', encoding: 'o200k_base' as const },
    { model: 'gpt-4', encoding: 'cl100k_base' as const },
  ])('counts and encodes each kind of text exactly as js-tiktoken does for $encoding', async ({ model, encoding }) => {
    // Shared memo, a private one, and none: the memo must never change a count.
    const tokenizers = [
      await loadTokenizer(model),
      await loadTokenizer(model, { countCacheSize: 4 }),
      await loadTokenizer(model, { countCacheSize: 0 }),
    ];
    for (const [kind, text] of Object.entries(SAMPLES)) {
      const expected = reference(encoding).encode(text, [], []);
      for (const t of tokenizers) {
        expect(t.count(text), kind).toBe(expected.length);
        // Twice: the second count of the same text is served from the memo.
        expect(t.count(text), kind).toBe(expected.length);
        expect(t.encode(text), kind).toEqual(expected);
      }
    }
  });

  it('rejects a count cache size that is not a non-negative integer', async () => {
    for (const countCacheSize of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error: unknown = await loadTokenizer('gpt-4o', { countCacheSize }).catch((e: unknown) => e);
      expect(isAiTokenizerError(error) && error.code).toBe('AI_TOKENIZER_INVALID_OPTIONS');
    }
  });

  it('decodes control token ids to their names and rejects ids outside the vocabulary', async () => {
    const o = await loadTokenizer('gpt-4o');
    const c = await loadTokenizer('gpt-4');
    expect(o.decode([199_999])).toBe('<|endoftext|>');
    expect(c.decode([100_276])).toBe('<|endofprompt|>');
    for (const bad of [-1, 1.5, 250_000, 100_261]) {
      const t = bad === 100_261 ? c : o; // 100 261 is a hole in cl100k, between its control tokens
      let error: unknown;
      try {
        t.decode([bad]);
      } catch (e) {
        error = e;
      }
      expect(isAiTokenizerError(error) && error.code, String(bad)).toBe('AI_TOKENIZER_UNKNOWN_TOKEN');
    }
  });

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
