/**
 * Data that flows between the boundary gate's stages: scan → extract (file graph) → classify
 * (module edges) → evaluate (violations) → cycles. Every stage after extraction is pure.
 */
import type { ControlPlane } from '../control-plane/index.ts';

/** How a dependency is written in the source. Type-only forms are kinds of their own because value-only rules skip them. */
export type EdgeKind = 'import' | 'type-only' | 're-export' | 'type-only re-export' | 'dynamic' | 'require';

/** How the specifier reached its target: the resolution path, independent of the syntax. */
export type EdgeVia = 'relative' | 'package-self' | 'tsconfig-paths' | 'alias' | 'package' | 'builtin';

/** One dependency of one source file, as extracted from dependency-cruiser's result. */
export interface FileDependency {
  /** The specifier exactly as written (`../b/index.ts`, `plumego/x/tenant`, `node:fs`). */
  readonly specifier: string;
  /**
   * `file`: a repository file (repo-relative path in `resolved`); `package`: an npm package (its name
   * in `resolved`); `builtin`: a Node builtin (its bare name); `unresolved`: nothing was found.
   */
  readonly target: 'file' | 'package' | 'builtin' | 'unresolved';
  readonly resolved: string;
  readonly kind: EdgeKind;
  readonly via: EdgeVia;
  /** 1-based position of the specifier in the importing file (0 when not found). */
  readonly line: number;
  readonly column: number;
}

/** A scanned source file with its dependencies; `parseError` when TypeScript could not parse it cleanly. */
export interface SourceFile {
  readonly file: string;
  readonly dependencies: readonly FileDependency[];
  readonly parseError?: { readonly line: number; readonly column: number; readonly message: string };
}

/** The file-level import graph of the scanned part of the repository, sorted by file. */
export interface FileGraph {
  readonly files: readonly SourceFile[];
}

/** The part of the control plane the boundary stages read; fixtures build it without the loader. */
export type BoundaryPlane = Pick<
  ControlPlane,
  | 'root'
  | 'repo'
  | 'dependencyRules'
  | 'modules'
  | 'moduleByName'
  | 'packageJson'
  | 'workspaces'
  | 'declaredPackages'
  | 'locate'
>;
