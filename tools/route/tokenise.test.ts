import { describe, expect, it } from 'vitest';
import { getStem } from './stem.ts';
import { readDefaultLexicon } from './default-lexicon.ts';
import { createLexicon, getTerms, getTermsWithSurface } from './tokenise.ts';

describe('getStem (Porter)', () => {
  const table: [string, string][] = [
    ['caresses', 'caress'],
    ['ponies', 'poni'],
    ['hopping', 'hop'],
    ['relational', 'relat'],
    ['adjustment', 'adjust'],
    // Porter gives "gener"; kept whole like Porter2 so it does not meet "generate" (OWN_STEMS in stem.ts).
    ['generalizations', 'general'],
    ['generic', 'generic'],
    ['generated', 'gener'],
    ['original', 'original'],
    ['origins', 'origin'],
    ['discovering', 'discov'],
    ['discovers', 'discov'],
    ['happy', 'happi'],
    // Porter2's li-ending rule: an adverb meets its adjective; short words and other letters keep theirs.
    ['exactly', 'exact'],
    ['strictly', 'strict'],
    ['nightly', 'night'],
    ['currently', 'current'],
    ['rely', 'reli'],
    ['apply', 'appli'],
    ['family', 'famili'],
    ['3am', '3am'],
    ['ws', 'ws'],
  ];
  for (const [word, stem] of table) it(`${word} → ${stem}`, () => expect(getStem(word)).toBe(stem));
});

describe('getTerms', () => {
  const lexicon = createLexicon({
    stopwords: ['the', 'a', 'in', 'to'],
    synonyms: [
      ['authenticate', 'login', 'log in', 'sign in'],
      ['circuit breaker', 'breaker'],
      ['log', 'logger'],
    ],
  });
  const table: { title: string; text: string; terms: string[] }[] = [
    {
      title: 'drops stop words and stems the rest',
      text: 'Discovering the upstream instances',
      terms: ['discov', 'upstream', 'instanc'],
    },
    {
      title: 'a phrase containing a stop word wins over its words',
      text: 'let users log in',
      terms: ['let', 'user', 'authenticate'],
    },
    { title: 'the single word keeps its own group', text: 'write a log line', terms: ['write', 'log', 'line'] },
    {
      title: 'multi-word canonical terms are hyphenated',
      text: 'Breakers tripping',
      terms: ['circuit-breaker', 'trip'],
    },
    { title: 'repeated meanings count once', text: 'login, sign in, log in', terms: ['authenticate'] },
    { title: 'punctuation and case do not matter', text: 'GET /Users/ID!', terms: ['get', 'user', 'id'] },
  ];
  for (const row of table) it(row.title, () => expect(getTerms(row.text, lexicon)).toEqual(row.terms));

  it('keeps the words a term came from for explanations', () => {
    expect(getTermsWithSurface('please log in', lexicon)).toEqual([
      { term: 'pleas', surface: 'please' },
      { term: 'authenticate', surface: 'log in' },
    ]);
  });

  it('rejects a member listed under two meanings', () => {
    expect(() =>
      createLexicon({
        stopwords: [],
        synonyms: [
          ['cache', 'store'],
          ['storage', 'store'],
        ],
      }),
    ).toThrow(/two|groups/);
  });

  it('the shipped lexicon loads and has no conflicting members', () => {
    const shipped = readDefaultLexicon();
    expect(shipped.phrases.size).toBeGreaterThan(100);
    expect(getTerms('stream LLM tokens over server-sent events', shipped)).toEqual(['stream', 'model', 'token', 'sse']);
  });

  it('the shipped lexicon reads a subcommand as a CLI command and an API description as OpenAPI', () => {
    const shipped = readDefaultLexicon();
    expect(getTerms('a usage error in a subcommand', shipped)).toEqual(['usag', 'error', 'cli']);
    expect(getTerms('emit the API description', shipped)).toEqual(['publish', 'openapi']);
  });

  it('the shipped lexicon reads plumego new and plumego generate as scaffolding, and new alone as nothing', () => {
    const shipped = readDefaultLexicon();
    expect(getTerms('plumego new with a template', shipped)).toEqual(['scaffold', 'templat']);
    expect(getTerms('plumego generate a handler', shipped)).toEqual(['scaffold', 'handler']);
    expect(getTerms('a new handler', shipped)).toEqual(['handler']);
  });

  it('the shipped lexicon reads a page of the docs site as a page and a next page as pagination', () => {
    const shipped = readDefaultLexicon();
    expect(getTerms('the status pages of the site', shipped)).toEqual(['status', 'page', 'site']);
    expect(getTerms('a link to the next page', shipped)).toContain('paginate');
    expect(getTerms('cursor pagination with a page size', shipped)).toEqual(['paginate']);
  });

  it('reads a :name segment of a path pattern as a path parameter, not as the word it is named after', () => {
    const lexicon = readDefaultLexicon();
    const terms = getTerms('GET /users/:id and /files/:name.json', lexicon);
    expect(terms).toEqual(getTerms('GET users path parameter and files path parameter json', lexicon));
    expect(terms).not.toContain(getTerms('id', lexicon)[0]);
    // Only inside a path: a colon in prose or a port stays as it was.
    expect(getTerms('note: id of the host:8080', lexicon)).toEqual(getTerms('note id of the host 8080', lexicon));
  });

  it('the shipped lexicon reads an editor by its product name as an editor', () => {
    const lexicon = readDefaultLexicon();
    const [editor] = getTerms('editor', lexicon);
    for (const name of ['VS Code', 'vscode', 'IntelliJ'])
      expect(getTerms(`${name} underlines it`, lexicon)).toContain(editor);
    // "code" alone is still code.
    expect(getTerms('the code underlines it', lexicon)).not.toContain(editor);
  });

  it('the shipped lexicon drops adverbs of time: they say when a symptom shows, not what the work is on', () => {
    const lexicon = readDefaultLexicon();
    expect(getTerms('today the app currently never answers, and it already did before', lexicon)).toEqual(
      getTerms('the app answers, and it did before', lexicon),
    );
  });

  // Each row: a word the specs mostly use in another sense, read in that sense, and a member of the same group
  // that still reads as the group's term. "backend" is a storage backend in store and x/data far more often
  // than a gateway upstream; "URL" a connection or presigned URL; "bucket" a token or hash bucket.
  const otherSense: readonly (readonly [string, string, string])[] = [
    ['allowed origins and allowed_imports', 'permission denied', 'authorize'],
    ['the local-disk storage backend', 'an upstream pool', 'upstream'],
    ['the connection URL of the database', 'a new endpoint', 'route'],
    ['a token bucket per tenant', 'an S3 object storage', 's3'],
    ['one SQLite file by default', 'a PostgreSQL pool', 'database'],
    ['link-local addresses and local token counting', 'a dev server', 'development'],
    ['an adapter for connect middleware', 'each vendor', 'provider'],
    ['the vector index', 'listing files', 'list'],
    ['the search box', 'filtering rows', 'filter'],
    ['Unix domain sockets and domain events for a host', 'per subdomain', 'subdomain'],
    ['keep-alive sockets', 'a readiness probe', 'health'],
    ['a daily send quota', 'a cron job', 'schedule'],
    ['separate processes', 'splitting reads', 'split'],
    ['the X-Hub-Signature header', 'chat rooms', 'room'],
    ['streamed to the browser', 'a React front end', 'frontend'],
    ['the response writer', 'the primary database', 'primary'],
  ];
  for (const [text, member, term] of otherSense)
    it(`the shipped lexicon reads "${text}" without the term ${term}, and "${member}" with it`, () => {
      const shipped = readDefaultLexicon();
      expect(getTerms(text, shipped)).not.toContain(term);
      expect(getTerms(member, shipped)).toContain(term);
    });

  it('the shipped lexicon keeps a lookup apart from discovery (a route lookup finds no upstream)', () => {
    const shipped = readDefaultLexicon();
    expect(getTerms('router lookup speed', shipped)).not.toContain('discover');
    expect(getTerms('service discovery', shipped)).toContain('discover');
  });
});
