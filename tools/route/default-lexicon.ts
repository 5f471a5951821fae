/** The lexicon shipped beside this file (tools/route/lexicon.yaml): the file-system half of tokenise.ts. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createLexicon, type Lexicon, type LexiconSource } from './tokenise.ts';

let defaultSource: LexiconSource | undefined;
let defaultLexicon: Lexicon | undefined;

/** The lexicon's data as written, read once (the docs site ships it to the browser router). */
export function readDefaultLexiconSource(): LexiconSource {
  if (defaultSource === undefined) {
    const file = fileURLToPath(new URL('./lexicon.yaml', import.meta.url));
    defaultSource = parse(readFileSync(file, 'utf8')) as LexiconSource;
  }
  return defaultSource;
}

/** The lexicon built from `lexicon.yaml`, read once. */
export function readDefaultLexicon(): Lexicon {
  return (defaultLexicon ??= createLexicon(readDefaultLexiconSource()));
}
