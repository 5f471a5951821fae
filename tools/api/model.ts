/** What the API tools know about one module's public surface. Pure data: no ts-morph types leak out. */
import type { CodeSite } from './scan-error-codes.ts';

export type ApiKind =
  'class' | 'const' | 'default' | 'enum' | 'function' | 'interface' | 'let' | 'namespace' | 'type' | 'var';

/** One exported name with every declaration behind it (a const and a type may share a name). */
export interface ApiEntry {
  readonly name: string;
  /** Sorted, unique. */
  readonly kinds: readonly ApiKind[];
  /** The printed signature: a header line per declaration, then indented member lines, all sorted. */
  readonly lines: readonly string[];
  /** Where the first declaration lives (repository-relative, 1-based); never written to snapshots. */
  readonly file?: string;
  readonly line?: number;
}

export type ApiProblemRule = 'syntax-error' | 'unprintable-type' | 'unresolved-export';

/** Something that makes the extracted API untrustworthy; each becomes a violation. */
export interface ApiProblem {
  readonly rule: ApiProblemRule;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** The export it concerns, when there is one. */
  readonly name?: string;
}

export interface ModuleApi {
  readonly module: string;
  /** Repository-relative entry file. */
  readonly entry: string;
  /** Every name the entry exports (values and types), sorted; this is what public_entrypoints must equal. */
  readonly names: readonly string[];
  /** Per name: where the entry file exports it (1-based line; 0 when it arrives through `export *`). */
  readonly exportLines: Readonly<Record<string, number>>;
  /** Per name: the repository-relative file of its first declaration (absent when unresolved). */
  readonly origins: Readonly<Record<string, string>>;
  /** Printed entries, sorted by name; empty when only names were requested. */
  readonly entries: readonly ApiEntry[];
  readonly problems: readonly ApiProblem[];
}

/** Codepoint order: stable across locales and machines, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The API analysis of a plane: every API module's surface and the error-code sites, from one ts-morph program. */
export interface ApiAnalysis {
  readonly apis: ReadonlyMap<string, ModuleApi>;
  /** Modules whose signatures were printed (the rest have names only). */
  readonly printed: ReadonlySet<string>;
  /** Error-code sites in every non-test repository file the entries reach (scanned from the same ASTs). */
  readonly codeSites: readonly CodeSite[];
  /** 0 for all three when the result came from the cache. */
  readonly timings: { readonly loadMs: number; readonly extractMs: number; readonly files: number };
  readonly cached: boolean;
}
