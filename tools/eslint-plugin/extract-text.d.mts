// Types of extract-text.mjs.
import type { ICruiseOptions } from 'dependency-cruiser';
import type { CruisedDependency } from '../boundaries/index.ts';

export interface PreparedExtraction {
  readonly options: { readonly baseDir: string };
}
export declare function prepareExtraction(
  cruiseOptions: ICruiseOptions & { baseDir: string },
): Promise<PreparedExtraction>;
export declare function extractText(prepared: PreparedExtraction, file: string, text: string): CruisedDependency[];
