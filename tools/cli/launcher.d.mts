// Types of launcher.mjs (plain JavaScript: it runs before anything can load TypeScript).
export declare function loadCli(options?: { entry?: string; cacheDir?: string }): Promise<Record<string, unknown>>;
export declare function findFreshBundle(cacheDir: string, entry?: string): string | undefined;
export declare function buildBundle(cacheDir: string, entry?: string): Promise<string | undefined>;
