import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { createHash } from 'node:crypto';
import { describeFileStorageConformance } from 'plumego/store';
import { S3Client } from '@aws-sdk/client-s3';
import { S3FileStorage } from './s3-storage.ts';
import { startLocalS3, type LocalS3 } from './s3-server.test-support.ts';

// The S3 server is started by this file (no shared service exists for it).
let s3: LocalS3;
let buckets = 0;
beforeAll(async () => {
  s3 = await startLocalS3();
}, 20_000);
afterAll(async () => {
  await s3?.close();
});

async function fresh(prefix = ''): Promise<S3FileStorage> {
  const bucket = `plumego-test-${buckets++}`;
  await s3.createBucket(bucket);
  return new S3FileStorage({ client: s3.client(), bucket, prefix, partSize: 5 * 1024 * 1024 });
}

describeFileStorageConformance({ describe, it }, { name: 'S3FileStorage', open: () => fresh() });
describeFileStorageConformance(
  { describe, it },
  { name: 'S3FileStorage under a key prefix', open: () => fresh('tenant-a/files/') },
);

describe('S3FileStorage beyond the contract', () => {
  it('uploads a large stream in parts and reads it back intact', async () => {
    const storage = await fresh();
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) % 251;
    const total = 12;
    const hash = createHash('sha256');
    for (let i = 0; i < total; i++) hash.update(chunk);
    const stat = await storage.put(
      'big/video.bin',
      Readable.from(
        (function* () {
          for (let i = 0; i < total; i++) yield chunk;
        })(),
      ),
    );
    expect(stat.size).toBe(total * chunk.length);
    expect(
      createHash('sha256')
        .update(await buffer(await storage.get('big/video.bin')))
        .digest('hex'),
    ).toBe(hash.digest('hex'));
  });

  it('reads byte ranges and refuses bad ones', async () => {
    const storage = await fresh();
    await storage.put('r.txt', 'hello range world');
    expect(await text(await storage.getRange('r.txt', { start: 6, end: 10 }))).toBe('range');
    expect(await text(await storage.getRange('r.txt', { start: 12, end: 1000 }))).toBe('world');
    await expect(storage.getRange('r.txt', { start: 5, end: 2 })).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_DATA_INVALID_OPTIONS',
      reason: 'field:range',
    });
    await expect(storage.getRange('missing.txt', { start: 0, end: 1 })).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_FILE_NOT_FOUND',
    });
  });

  it('issues presigned GET and PUT URLs that work until they expire', async () => {
    const storage = await fresh();
    await storage.put('doc.txt', 'signed content');
    const get = await storage.createDownloadUrl('doc.txt', { expiresInSeconds: 60, fileName: 'report final.txt' });
    const res = await fetch(get);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('signed content');
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''report%20final.txt");
    const put = await storage.createUploadUrl('incoming/upload.txt', { expiresInSeconds: 60 });
    expect((await fetch(put, { method: 'PUT', body: 'from the browser' })).status).toBe(200);
    expect(await text(await storage.get('incoming/upload.txt'))).toBe('from the browser');
    const short = await storage.createDownloadUrl('doc.txt', { expiresInSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await fetch(short)).status).toBe(403);
    for (const bad of [0, 3601, 1.5]) {
      await expect(storage.createDownloadUrl('doc.txt', { expiresInSeconds: bad })).rejects.toMatchObject({
        code: 'PLUMEGO_ERR_DATA_INVALID_OPTIONS',
      });
    }
    await expect(storage.createUploadUrl('../x', { expiresInSeconds: 60 })).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_FILE_INVALID_PATH',
    });
  });

  it('reports an unreachable service and a missing bucket as typed errors without credentials', async () => {
    const down = new S3FileStorage({
      client: new S3Client({
        endpoint: 'http://127.0.0.1:9',
        region: 'us-east-1',
        forcePathStyle: true,
        maxAttempts: 1,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-key-value' },
      }),
      bucket: 'nowhere',
    });
    const err = await down.stat('x').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PLUMEGO_ERR_DATA_CONNECTION_LOST' });
    expect(`${(err as Error).message} ${String((err as Error).cause)} ${JSON.stringify(err)}`).not.toMatch(
      /secret-key-value|AKIDEXAMPLE/,
    );
    const noBucket = new S3FileStorage({ client: s3.client(), bucket: 'no-such-bucket' });
    await expect(noBucket.put('a.txt', 'x')).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_DATA_OBJECT_STORAGE',
      reason: 'status:404',
    });
  });

  it('refuses bad options when built', () => {
    const client = s3.client();
    expect(() => new S3FileStorage({ client, bucket: 'UPPER' })).toThrow(
      expect.objectContaining({ reason: 'field:bucket' }),
    );
    expect(() => new S3FileStorage({ client, bucket: 'ok-bucket', prefix: '/abs/' })).toThrow(
      expect.objectContaining({ reason: 'field:prefix' }),
    );
    expect(() => new S3FileStorage({ client, bucket: 'ok-bucket', prefix: 'no-slash' })).toThrow(
      expect.objectContaining({ reason: 'field:prefix' }),
    );
    expect(() => new S3FileStorage({ client, bucket: 'ok-bucket', partSize: 1024 })).toThrow(
      expect.objectContaining({ reason: 'field:partSize' }),
    );
  });
});
