import type { Readable } from 'node:stream';

/** What a storage backend knows about one stored file. */
export interface FileStat {
  /** The storage path (`a/b/c.txt`), relative to the backend's root. */
  path: string;
  size: number;
  /** Unix ms. */
  modifiedAt: number;
}

export interface FileListOptions {
  /** Only paths starting with this prefix. Default: all. */
  prefix?: string;
  /** Most results, in path order. Default: 1000. */
  limit?: number;
}

/**
 * Stores byte streams under slash-separated relative paths. Paths are validated by every backend:
 * no `..`, `.`, empty or absolute segments, backslashes or control characters
 * (`PLUMEGO_ERR_FILE_INVALID_PATH`). A missing file is `PLUMEGO_ERR_FILE_NOT_FOUND`.
 */
export interface FileStorage {
  /** Writes atomically: readers see the old file or the whole new one, never a partial one. */
  put(path: string, source: Readable | Uint8Array | string): Promise<FileStat>;
  get(path: string): Promise<Readable>;
  stat(path: string): Promise<FileStat>;
  exists(path: string): Promise<boolean>;
  /** True when a file was removed. */
  delete(path: string): Promise<boolean>;
  list(options?: FileListOptions): Promise<FileStat[]>;
  copy(from: string, to: string): Promise<FileStat>;
}
