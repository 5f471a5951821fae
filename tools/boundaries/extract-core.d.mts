// Types of extract-core.mjs (plain JavaScript: it also runs on a worker thread).
import type { ICruiseOptions, IDependency } from 'dependency-cruiser';

export type CruisedDependency = Pick<IDependency, 'module' | 'resolved' | 'dependencyTypes' | 'couldNotResolve'> & {
  readonly protocol?: string;
};
export interface CruisedModule {
  readonly source: string;
  readonly dependencies: readonly CruisedDependency[];
}
export interface ParseProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export declare function loadTypeScript(): typeof import('typescript');
export declare function getTypeScriptLoad(): 'cached' | 'compiled' | 'plain';
export declare function saveCodeCache(): void;
export declare function readCruiseTsConfig(tsConfigFile: string): Promise<unknown>;
export declare function preload(tsConfigFile?: string): Promise<void>;
export declare function cruiseFiles(
  files: readonly string[],
  cruiseOptions: ICruiseOptions & { baseDir: string },
  tsConfigFile: string | undefined,
): Promise<{ modules: CruisedModule[]; problems: [string, ParseProblem][]; reparsed: number }>;
export declare function findParseProblems(root: string, files: readonly string[]): [string, ParseProblem][];
