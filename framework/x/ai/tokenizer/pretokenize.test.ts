import cl100k from 'js-tiktoken/ranks/cl100k_base';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { describe, expect, it } from 'vitest';
import { cl100kPieceEnd, o200kPieceEnd } from './pretokenize.ts';

/** Characters chosen to hit every class and every backtracking branch of the two patterns. */
const ALPHABET = [
  ...'aZsStTdDmMlLvVeErR', // ASCII letters, including the contraction letters
  "'", // contractions
  'é',
  'ß',
  'ǅ',
  'ʰ',
  '中',
  'ا', // Ll, Ll, Lt, Lm, Lo, Lo
  '\u0301',
  '\u0308',
  '\u093f', // combining marks (Mn, Mc): in both o200k letter classes and in the prefix class
  '𝐀',
  '𝐚',
  '𐐀', // astral letters (Lu, Ll, Lu)
  '7',
  '٣',
  'Ⅻ',
  '½',
  '𝟙', // numbers: ASCII, Arabic-Indic, letter number, fraction, astral
  ' ',
  ' ',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u00a0',
  '\u2028',
  '\u3000',
  '\ufeff', // whitespace, some not ASCII
  '/',
  '.',
  '-',
  '(',
  '{',
  '"',
  '<',
  '|',
  '>', // punctuation, the o200k slash tail, special-token syntax
  '😀',
  '👍🏽',
  '\u200d', // emoji, a skin-tone modifier, a joiner
  '\ud800',
  '\udc00', // lone surrogates
];

/** Deterministic pseudo-random strings (mulberry32), so a failure is reproducible from the seed. */
function randomText(seed: number, length: number): string {
  let state = seed;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let text = '';
  while (text.length < length) text += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return text;
}

function split(text: string, pieceEnd: (text: string, start: number) => number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length;) {
    const end = pieceEnd(text, start);
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

const VARIED = [
  "The quick brown fox. It's 3.14159 — naïve café; don't STOP'S HE'LL we'Re\n",
  'export async function loadTokenizer(model: string): Promise<Tokenizer> { return a?.b ?? c; }\n',
  '    indented\t\ttabs   and   runs   \r\n\n\n  \n x  // comment //\n/// path/to/file\n',
  '東京は日本の首都です。한국어 텍스트. Привет, МИР! مرحبا بالعالم देवनागरी ',
  '👩‍👩‍👧‍👦 🇫🇷 👍🏽 e\u0301 A\u0308BC x\u0301Y ǅemal ʰello 𝐀𝐁𝐜 ',
  '1234567890 ٣٤٥٦ ⅫⅣ 0xDEADBEEF 1e-9 ',
  '<|endoftext|> <|im_start|>user<|im_end|> trailing spaces   ',
].join('');

describe('pretokenize', () => {
  it.each([
    { name: 'o200k_base', pattern: o200k.pat_str, pieceEnd: o200kPieceEnd },
    { name: 'cl100k_base', pattern: cl100k.pat_str, pieceEnd: cl100kPieceEnd },
  ])("splits text into exactly the pieces of js-tiktoken's $name regex", ({ pattern, pieceEnd }) => {
    const regex = new RegExp(pattern, 'gu');
    const reference = (text: string): string[] => [...text.matchAll(regex)].map((m) => m[0]);
    expect(split(VARIED, pieceEnd)).toEqual(reference(VARIED));
    for (let seed = 1; seed <= 300; seed++) {
      const text = randomText(seed, 1 + (seed % 97));
      expect(split(text, pieceEnd), `seed ${seed}: ${JSON.stringify(text)}`).toEqual(reference(text));
    }
    // Edge positions: single characters, whitespace at the very end, a text that is only whitespace.
    for (const text of ['a', ' ', '\n', "'", "'s", ' \n', 'x  ', '  ', '\r\n', '/\n/', ' /', '😀', '\ud800']) {
      expect(split(text, pieceEnd), JSON.stringify(text)).toEqual(reference(text));
    }
  });
});
