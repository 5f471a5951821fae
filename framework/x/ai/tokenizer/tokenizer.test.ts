import { describe, expect, it } from 'vitest';
import { loadTokenizer, resolveEncoding } from './tokenizer.ts';

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
    expect((await loadTokenizer('gpt-4o')).encode('hello world')).not.toEqual((await loadTokenizer('gpt-4')).encode('hello world'));
  });

  it('counts chat messages with per-message framing', async () => {
    const t = await loadTokenizer('gpt-4o');
    const one = t.countMessages([{ role: 'user', content: 'hello world' }]);
    expect(one).toBe(3 + 3 + t.count('user') + 2);
    expect(t.countMessages([])).toBe(3);
  });

  it('counts the empty string as zero tokens', async () => {
    expect((await loadTokenizer('gpt-4o')).count('')).toBe(0);
  });
});
