import type { Readable } from 'node:stream';
import type { FileStorage } from 'plumego/store';

/** A backend that can read part of a file without reading the rest (S3 in x/data/file does). */
export interface RangedFileStorage {
  /** Bytes `start`–`end`, inclusive. */
  getRange(path: string, range: { start: number; end: number }): Promise<Readable>;
}

/** A backend that can hand out temporary URLs the client downloads from directly. */
export interface SignedUrlFileStorage {
  createDownloadUrl(path: string, options: { expiresInSeconds: number; fileName?: string }): Promise<string>;
}

/**
 * The part of the store module's file contract this API uses, plus the optional capabilities it
 * takes advantage of when a backend has them. Naming only what is used keeps test doubles small;
 * any full `FileStorage` (local disk, S3 in x/data) fits.
 */
export type FileStorageLike = Pick<FileStorage, 'put' | 'get' | 'delete'> &
  Partial<RangedFileStorage & SignedUrlFileStorage>;
