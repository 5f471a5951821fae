import type { FileStorage } from 'plumego/store';

/**
 * The part of the store module's file contract this API uses. Naming only what is used keeps test
 * doubles small; any full `FileStorage` (local disk, S3 in x/data) fits.
 */
export type FileStorageLike = Pick<FileStorage, 'put' | 'get' | 'delete'>;
