// The benchmark's cases: which server mode (server.ts) answers, and the path asked for.
export interface BenchCase {
  readonly id: string;
  readonly mode: string;
  readonly path: string;
  readonly label: string;
  /** In the default run and its result files. */
  readonly headline: boolean;
}

export const ALL_CASES: readonly BenchCase[] = [
  {
    id: 'raw',
    mode: 'raw',
    path: '/projects',
    label: 'bare Plumego handler, hand-written pg query + JSON',
    headline: true,
  },
  {
    id: 'rest',
    mode: 'rest',
    path: '/projects?page_size=20&total=false',
    label: 'x/rest list, tenant chain, scoped Kysely statement run on the pool (1 query)',
    headline: true,
  },
  {
    id: 'rest-kysely',
    mode: 'rest-kysely',
    path: '/projects?page_size=20&total=false',
    label: "x/rest list, the same through Kysely's executor (no `pool` option)",
    headline: true,
  },
  {
    id: 'rest-total',
    mode: 'rest',
    path: '/projects?page_size=20',
    label: 'x/rest list with total (count(*) over (), 1 query, on the pool)',
    headline: true,
  },
  {
    id: 'raw-headers',
    mode: 'raw-headers',
    path: '/projects',
    label: "bare handler + the list route's Link, six limit headers and meta",
    headline: false,
  },
  {
    id: 'kysely',
    mode: 'kysely',
    path: '/projects',
    label: "bare handler, the raw SQL through Kysely's executor",
    headline: false,
  },
  {
    id: 'scoped',
    mode: 'scoped',
    path: '/projects',
    label: 'bare handler, query built on the tenant-scoped Kysely',
    headline: false,
  },
  {
    id: 'rest-noten',
    mode: 'rest-noten',
    path: '/projects?page_size=20&total=false',
    label: 'x/rest list + auth, unscoped Kysely on the pool, no tenant chain',
    headline: false,
  },
  { id: 'rawmem', mode: 'rawmem', path: '/projects', label: 'bare handler, the 20 rows from memory', headline: false },
  {
    id: 'restmem',
    mode: 'restmem',
    path: '/projects?page_size=20&total=false',
    label: 'x/rest list + auth, the 20 rows from a memory repository',
    headline: false,
  },
];
