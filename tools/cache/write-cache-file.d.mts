// Types of write-cache-file.mjs (plain JavaScript: the launcher and the extraction worker use it too).
export declare function writeCacheFile(path: string, data: string | NodeJS.ArrayBufferView): boolean;
