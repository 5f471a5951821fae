import type { Readable } from 'node:stream';

/**
 * The slice of the store module's file contract (`FileStorage` in plumego/store) this API uses,
 * declared structurally so any backend that implements the contract (local disk, S3 in x/data) fits.
 */
export interface FileStorageLike {
  put(path: string, source: Readable | Uint8Array | string): Promise<{ path: string; size: number }>;
  get(path: string): Promise<Readable>;
  delete(path: string): Promise<boolean>;
}
