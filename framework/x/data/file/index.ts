export { S3FileStorage } from './s3-storage.ts';
export type { ByteRangeRequest, S3FileStorageOptions } from './s3-storage.ts';
export { PgFileMetadataStore } from './pg-metadata-store.ts';
export type { PgFileMetadataStoreOptions } from './pg-metadata-store.ts';
