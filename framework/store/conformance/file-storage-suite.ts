import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { FileStorage } from '../file/storage.ts';
import { captureRejection, codeOf, type ConformanceHarness } from './harness.ts';

/** One file storage backend under test. */
export interface FileStorageConformanceTarget {
  /** Shown in the suite title. */
  name: string;
  /** An empty storage (its own root, bucket or prefix). */
  open(): Promise<FileStorage> | FileStorage;
}

async function assertCode(promise: Promise<unknown>, code: string): Promise<void> {
  assert.equal(codeOf(await captureRejection(promise)), code);
}

const read = async (storage: FileStorage, path: string): Promise<Buffer> => buffer(await storage.get(path));

/**
 * The behaviour every `FileStorage` shares: bytes in and out from strings, byte arrays and
 * streams; stat, exists, list by prefix in path order with a limit, copy, delete reporting whether
 * something was removed; missing files as `FILE_NOT_FOUND`; unsafe paths as `FILE_INVALID_PATH`
 * before any I/O; a failing source stream leaving nothing behind.
 */
export function describeFileStorageConformance(t: ConformanceHarness, target: FileStorageConformanceTarget): void {
  const { describe, it } = t;
  describe(`${target.name} file storage conformance`, () => {
    it('stores strings, byte arrays and streams byte for byte', async () => {
      const storage = await target.open();
      const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
      assert.equal((await storage.put('a/text.txt', 'héllo')).size, 6);
      assert.equal((await storage.put('a/bin.dat', binary)).size, 256);
      const stat = await storage.put('b/stream.txt', Readable.from([Buffer.from('wor'), Buffer.from('ld')]));
      assert.deepEqual({ path: stat.path, size: stat.size }, { path: 'b/stream.txt', size: 5 });
      assert.equal((await read(storage, 'a/text.txt')).toString(), 'héllo');
      assert.deepEqual([...(await read(storage, 'a/bin.dat'))], [...binary]);
      assert.equal((await read(storage, 'b/stream.txt')).toString(), 'world');
      await storage.put('empty', '');
      assert.equal((await read(storage, 'empty')).length, 0);
    });

    it('stats, checks, overwrites and deletes', async () => {
      const storage = await target.open();
      const before = Date.now() - 5000;
      await storage.put('f.txt', 'one');
      const stat = await storage.stat('f.txt');
      assert.equal(stat.size, 3);
      assert.ok(
        stat.modifiedAt >= before && stat.modifiedAt <= Date.now() + 5000,
        'modifiedAt is a recent Unix ms time',
      );
      assert.equal(await storage.exists('f.txt'), true);
      await storage.put('f.txt', 'second');
      assert.equal((await read(storage, 'f.txt')).toString(), 'second');
      assert.equal(await storage.delete('f.txt'), true);
      assert.equal(await storage.delete('f.txt'), false);
      assert.equal(await storage.exists('f.txt'), false);
      await assertCode(storage.get('f.txt'), 'PLUMEGO_ERR_FILE_NOT_FOUND');
      await assertCode(storage.stat('f.txt'), 'PLUMEGO_ERR_FILE_NOT_FOUND');
    });

    it('lists by prefix in path order, up to the limit', async () => {
      const storage = await target.open();
      for (const path of ['docs/b.txt', 'docs/a.txt', 'docs/sub/c.txt', 'other.txt', 'docsx.txt'])
        await storage.put(path, path);
      assert.deepEqual(
        (await storage.list({ prefix: 'docs/' })).map((f) => f.path),
        ['docs/a.txt', 'docs/b.txt', 'docs/sub/c.txt'],
      );
      assert.deepEqual(
        (await storage.list({ prefix: 'docs/', limit: 2 })).map((f) => f.path),
        ['docs/a.txt', 'docs/b.txt'],
      );
      assert.deepEqual(
        (await storage.list()).map((f) => f.path),
        ['docs/a.txt', 'docs/b.txt', 'docs/sub/c.txt', 'docsx.txt', 'other.txt'],
      );
      assert.equal((await storage.list({ prefix: 'docs/sub/' }))[0]?.size, 'docs/sub/c.txt'.length);
      assert.deepEqual(await storage.list({ prefix: 'nothing/' }), []);
    });

    it('copies a file and refuses to copy a missing one', async () => {
      const storage = await target.open();
      await storage.put('src.txt', 'payload');
      assert.equal((await storage.copy('src.txt', 'dst/copy.txt')).size, 7);
      assert.equal((await read(storage, 'dst/copy.txt')).toString(), 'payload');
      assert.equal((await read(storage, 'src.txt')).toString(), 'payload');
      await assertCode(storage.copy('missing.txt', 'x.txt'), 'PLUMEGO_ERR_FILE_NOT_FOUND');
    });

    it('refuses unsafe paths on every method', async () => {
      const storage = await target.open();
      for (const path of ['../escape', '/abs', 'a/../b', 'a//b', 'back\\slash', '', 'nul\u0000']) {
        await assertCode(storage.put(path, 'x'), 'PLUMEGO_ERR_FILE_INVALID_PATH');
        await assertCode(storage.get(path), 'PLUMEGO_ERR_FILE_INVALID_PATH');
        await assertCode(storage.stat(path), 'PLUMEGO_ERR_FILE_INVALID_PATH');
        await assertCode(storage.delete(path), 'PLUMEGO_ERR_FILE_INVALID_PATH');
      }
      await assertCode(storage.copy('ok.txt', '../x'), 'PLUMEGO_ERR_FILE_INVALID_PATH');
    });

    it('leaves nothing behind when the source stream fails', async () => {
      const storage = await target.open();
      await storage.put('keep.txt', 'old');
      const failing = new Readable({
        read() {
          this.push(Buffer.alloc(1024, 1));
          this.destroy(new Error('client went away'));
        },
      });
      assert.ok(await captureRejection(storage.put('keep.txt', failing)));
      assert.equal((await read(storage, 'keep.txt')).toString(), 'old');
      const failingNew = new Readable({
        read() {
          this.destroy(new Error('gone'));
        },
      });
      assert.ok(await captureRejection(storage.put('new.txt', failingNew)));
      assert.equal(await storage.exists('new.txt'), false);
    });
  });
}
