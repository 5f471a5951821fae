/**
 * Text → routing terms. The same function reads work descriptions and spec prose, so a word means the
 * same thing on both sides: lower-case words are stemmed, synonym phrases are rewritten to their
 * group's canonical term, and stop words are dropped.
 */
// Pure (no file system): the docs site's router page bundles this file for the browser.
import { getStem } from './stem.ts';

export interface Lexicon {
  readonly stopwords: ReadonlySet<string>;
  /** Stem sequence joined by spaces → canonical term. */
  readonly phrases: ReadonlyMap<string, string>;
  /** The longest phrase, in words. */
  readonly maxPhrase: number;
  /** First stems of multi-word phrases: only there is a longer match worth trying. */
  readonly phraseStarts: ReadonlySet<string>;
}

export interface LexiconSource {
  readonly stopwords: readonly string[];
  readonly synonyms: readonly (readonly string[])[];
}

const WORD = /[a-z0-9]+/g;

// A ":name" segment of a path pattern (GET /users/:id) is a path parameter, not the word it is named after.
const PATH_PARAMETER = /\/:[A-Za-z_]\w*/g;

const getRawWords = (text: string): string[] =>
  text.replace(PATH_PARAMETER, ' path parameter ').toLowerCase().replace(/['’]/g, '').match(WORD) ?? [];

/** Canonical terms keep the group head readable ("circuit-breaker") and never collide with a stem of prose. */
const getCanonical = (head: string): string => getRawWords(head).join('-');

/** Builds the lookup tables from the YAML data; a bad table is a programming error, so it throws. */
export function createLexicon(source: LexiconSource): Lexicon {
  const stopwords = new Set(source.stopwords.flatMap(getRawWords));
  const phrases = new Map<string, string>();
  const phraseStarts = new Set<string>();
  let maxPhrase = 1;
  for (const group of source.synonyms) {
    const head = group[0];
    if (head === undefined) throw new Error('route lexicon: empty synonym group');
    const canonical = getCanonical(head);
    for (const member of group) {
      const stems = getRawWords(member).map(getStem);
      if (stems.length === 0) continue;
      const key = stems.join(' ');
      const previous = phrases.get(key);
      // A member listed in two groups would make routing depend on file order.
      if (previous !== undefined && previous !== canonical) {
        throw new Error(`route lexicon: "${member}" is in the groups of "${previous}" and "${canonical}"`);
      }
      phrases.set(key, canonical);
      if (stems.length > 1) phraseStarts.add(stems[0] as string);
      maxPhrase = Math.max(maxPhrase, stems.length);
    }
  }
  return { stopwords, phrases, maxPhrase, phraseStarts };
}

export interface Term {
  /** The stem or canonical synonym that routing compares. */
  readonly term: string;
  /** The words of the text it came from, for explanations ("discovering", "log in"). */
  readonly surface: string;
}

/**
 * Terms of a text in order of appearance, without duplicates. Phrases are matched on stems before stop
 * words are dropped, because some synonyms contain them ("log in", "fall back").
 */
export function getTermsWithSurface(text: string, lexicon: Lexicon): Term[] {
  const raw = getRawWords(text);
  const stems = raw.map(getStem);
  const out: Term[] = [];
  const seen = new Set<string>();
  const push = (term: string, surface: string): void => {
    if (!seen.has(term)) {
      seen.add(term);
      out.push({ term, surface });
    }
  };
  let i = 0;
  while (i < raw.length) {
    let matched = false;
    const longest = lexicon.phraseStarts.has(stems[i] as string) ? Math.min(lexicon.maxPhrase, raw.length - i) : 1;
    for (let len = longest; len >= 1; len--) {
      const canonical = lexicon.phrases.get(len === 1 ? (stems[i] as string) : stems.slice(i, i + len).join(' '));
      if (canonical !== undefined) {
        push(canonical, raw.slice(i, i + len).join(' '));
        i += len;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    const word = raw[i] as string;
    // Single characters, digits included (the 3 of "top-3" or "OpenAPI 3.1"), carry no meaning of their own.
    if (!lexicon.stopwords.has(word) && word.length > 1) push(stems[i] as string, word);
    i++;
  }
  return out;
}

/** Only the terms of a text (see getTermsWithSurface). */
export function getTerms(text: string, lexicon: Lexicon): string[] {
  return getTermsWithSurface(text, lexicon).map((t) => t.term);
}
