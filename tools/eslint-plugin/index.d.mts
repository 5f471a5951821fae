// Types of the `plumego/eslint-plugin` entry.
import type { ESLint, Linter } from 'eslint';

declare const plugin: ESLint.Plugin & { readonly configs: { readonly recommended: Linter.Config } };
export default plugin;
/** Loads the control plane of a repository other than the one around the working directory, before linting it. */
export declare function load(root: string): Promise<unknown>;
