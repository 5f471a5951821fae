/**
 * The Porter (1980) stemmer. Routing compares words, not spellings: "discovering", "discovers" and
 * "discovery" must meet. A stemmer that is slightly wrong but applied the same way to the query and to
 * the specs is enough, and this one is small, deterministic and needs no dictionary.
 */

const isConsonant = (w: string, i: number): boolean => {
  const c = w[i];
  if (c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u') return false;
  if (c === 'y') return i === 0 ? true : !isConsonant(w, i - 1);
  return true;
};

/** m in Porter's notation: the number of vowel-consonant sequences in the stem. */
const measure = (stem: string): number => {
  let m = 0;
  let i = 0;
  const n = stem.length;
  while (i < n && isConsonant(stem, i)) i++;
  while (i < n) {
    while (i < n && !isConsonant(stem, i)) i++;
    if (i >= n) break;
    while (i < n && isConsonant(stem, i)) i++;
    m++;
  }
  return m;
};

const hasVowel = (stem: string): boolean => {
  for (let i = 0; i < stem.length; i++) if (!isConsonant(stem, i)) return true;
  return false;
};

const endsDoubleConsonant = (w: string): boolean =>
  w.length >= 2 && w[w.length - 1] === w[w.length - 2] && isConsonant(w, w.length - 1);

/** *o: the stem ends consonant-vowel-consonant and the last consonant is not w, x or y. */
const endsCvc = (w: string): boolean => {
  const n = w.length;
  if (n < 3) return false;
  const last = w[n - 1];
  return (
    isConsonant(w, n - 3) &&
    !isConsonant(w, n - 2) &&
    isConsonant(w, n - 1) &&
    last !== 'w' &&
    last !== 'x' &&
    last !== 'y'
  );
};

/** Replaces the first matching suffix whose stem has measure > minMeasure; stops at the first suffix that matches. */
const replaceSuffix = (w: string, rules: readonly (readonly [string, string])[], minMeasure: number): string => {
  for (const [suffix, replacement] of rules) {
    if (w.endsWith(suffix)) {
      const stem = w.slice(0, w.length - suffix.length);
      return measure(stem) > minMeasure ? stem + replacement : w;
    }
  }
  return w;
};

const STEP2: readonly (readonly [string, string])[] = [
  ['ational', 'ate'],
  ['tional', 'tion'],
  ['enci', 'ence'],
  ['anci', 'ance'],
  ['izer', 'ize'],
  ['bli', 'ble'],
  ['alli', 'al'],
  ['entli', 'ent'],
  ['eli', 'e'],
  ['ousli', 'ous'],
  ['ization', 'ize'],
  ['ation', 'ate'],
  ['ator', 'ate'],
  ['alism', 'al'],
  ['iveness', 'ive'],
  ['fulness', 'ful'],
  ['ousness', 'ous'],
  ['aliti', 'al'],
  ['iviti', 'ive'],
  ['biliti', 'ble'],
  ['logi', 'log'],
];
const STEP3: readonly (readonly [string, string])[] = [
  ['icate', 'ic'],
  ['ative', ''],
  ['alize', 'al'],
  ['iciti', 'ic'],
  ['ical', 'ic'],
  ['ful', ''],
  ['ness', ''],
];
const STEP4 = [
  'al',
  'ance',
  'ence',
  'er',
  'ic',
  'able',
  'ible',
  'ant',
  'ement',
  'ment',
  'ent',
  'ion',
  'ou',
  'ism',
  'ate',
  'iti',
  'ous',
  'ive',
  'ize',
];

const step1a = (w: string): string => {
  if (w.endsWith('sses')) return w.slice(0, -2);
  if (w.endsWith('ies')) return w.slice(0, -2);
  if (w.endsWith('ss')) return w;
  if (w.endsWith('s')) return w.slice(0, -1);
  return w;
};

const step1b = (w: string): string => {
  if (w.endsWith('eed')) return measure(w.slice(0, -3)) > 0 ? w.slice(0, -1) : w;
  let stem: string | undefined;
  if (w.endsWith('ed') && hasVowel(w.slice(0, -2))) stem = w.slice(0, -2);
  else if (w.endsWith('ing') && hasVowel(w.slice(0, -3))) stem = w.slice(0, -3);
  if (stem === undefined) return w;
  if (stem.endsWith('at') || stem.endsWith('bl') || stem.endsWith('iz')) return stem + 'e';
  if (endsDoubleConsonant(stem) && !/[lsz]$/.test(stem)) return stem.slice(0, -1);
  if (measure(stem) === 1 && endsCvc(stem)) return stem + 'e';
  return stem;
};

const step1c = (w: string): string => (w.endsWith('y') && hasVowel(w.slice(0, -1)) ? w.slice(0, -1) + 'i' : w);

const step4 = (w: string): string => {
  for (const suffix of STEP4) {
    if (!w.endsWith(suffix)) continue;
    const stem = w.slice(0, w.length - suffix.length);
    if (measure(stem) <= 1) return w;
    if (suffix === 'ion' && !/[st]$/.test(stem)) return w;
    return stem;
  }
  return w;
};

const step5 = (w: string): string => {
  let out = w;
  if (out.endsWith('e')) {
    const stem = out.slice(0, -1);
    const m = measure(stem);
    if (m > 1 || (m === 1 && !endsCvc(stem))) out = stem;
  }
  if (measure(out) > 1 && endsDoubleConsonant(out) && out.endsWith('l')) out = out.slice(0, -1);
  return out;
};

const stemPorter = (word: string): string => {
  let w = step1c(step1b(step1a(word)));
  w = replaceSuffix(w, STEP2, 0);
  w = replaceSuffix(w, STEP3, 0);
  w = step4(w);
  return step5(w);
};

/*
 * Porter keeps most "-ly" adverbs apart from their adjective ("exactly" → exactli, "exact" → exact), so
 * "exactly the same prompt" never meets a module that says "exact-match". Porter2 (Snowball English)
 * deletes "li" after a valid li-ending (c d e g h k m n r t); the measure test stands in for its R1 region
 * so that short words ("rely", "fly") keep their stem.
 */
const stripAdverb = (stem: string): string => {
  const base = stem.slice(0, -2);
  return /[cdeghkmnrt]$/.test(base) && measure(base) > 0 ? stemPorter(base) : stem;
};

/**
 * Stems one lower-case word. Words of two letters or fewer and words with digits are kept as they are.
 * One deliberate deviation from Porter: an "-ery" noun is stemmed once more without its final "i", so
 * it meets its "-er" verb (recovery/recover, discovery/discover, delivery/deliver), which Porter alone
 * keeps apart. It is limited to "-eri" stems because a wider rule merges unrelated words
 * (registry/registration). A second one, from Porter2: an "-ly" adverb meets its adjective (stripAdverb).
 * A third: a few words keep a stem of their own where Porter would merge them with another word (OWN_STEMS).
 */
export function getStem(word: string): string {
  let stem = memo.get(word);
  if (stem === undefined) {
    const kept = OWN_STEMS.find(([pattern]) => pattern.test(word));
    stem = kept ? kept[1] : word.length <= 2 || /\d/.test(word) ? word : stemPorter(word);
    if (stem.length > 4 && stem.endsWith('eri')) stem = stemPorter(stem.slice(0, -1));
    else if (word.endsWith('ly') && stem.endsWith('li')) stem = stripAdverb(stem);
    // The vocabulary of specs and descriptions is small, so remembering every stem is cheap and makes
    // re-indexing and routing much faster.
    if (memo.size < MEMO_LIMIT) memo.set(word, stem);
  }
  return stem;
}

/*
 * Words Porter cuts down to another word of this vocabulary: "original" to the CORS "origin", "generic" and
 * "general" to the "gener" of generating ids. Porter2 keeps "generic" and "general" whole (its special R1 for
 * words starting "gener"); "original" is kept here for the same reason. A description saying "keep the original
 * cause" or "a generic 500" is not about origins or id generation.
 */
const OWN_STEMS: readonly (readonly [RegExp, string])[] = [
  [/^originals?$|^originally$/, 'original'],
  [/^generics?$|^generically$/, 'generic'],
  [/^generals?$|^generally$|^generaliz(e|es|ed|ing|ation|ations)$/, 'general'],
];

const MEMO_LIMIT = 50_000;
const memo = new Map<string, string>();
