// LocalFileStorage at its edges: roots that do not exist yet, directories where files are expected,
// symlinks that stay inside the root, reads that must not create directories, listing order and
// in-flight temp files.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalFileStorage, type LocalFileStorageOptions } from './local-storage.ts';

const base = mkdtempSync(join(tmpdir(), 'plumego-file-edges-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const fresh = () => new LocalFileStorage({ root: join(base, `root-${n++}`) });

describe('LocalFileStorage construction', () => {
  it('creates a root several levels deep, and refuses a missing or empty root', () => {
    const deep = join(base, 'deep', 'er', 'root');
    expect(new LocalFileStorage({ root: deep }).root).toBe(deep);
    expect(() => new LocalFileStorage(undefined as unknown as LocalFileStorageOptions)).toThrow(
      new TypeError('root is required'),
    );
    expect(() => new LocalFileStorage({ root: '' })).toThrow(new TypeError('root is required'));
  });
});

describe('LocalFileStorage paths', () => {
  it('treats a directory where a file is expected as not found, in every operation', async () => {
    const fs = fresh();
    await fs.put('dir/inner.txt', 'x');
    await expect(fs.get('dir')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_NOT_FOUND' });
    await expect(fs.stat('dir')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_NOT_FOUND' });
    expect(await fs.exists('dir')).toBe(false);
    expect(await fs.delete('dir')).toBe(false);
    expect(await fs.exists('dir/inner.txt')).toBe(true);
  });

  it('refuses a file used as a directory, and a symlinked directory even when it points inside the root', async () => {
    const fs = fresh();
    await fs.put('file.txt', 'x');
    await expect(fs.put('file.txt/child', 'y')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_PATH_ESCAPE' });
    mkdirSync(join(fs.root, 'real'));
    symlinkSync(join(fs.root, 'real'), join(fs.root, 'link'), 'dir');
    await expect(fs.put('link/x.txt', 'y')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_PATH_ESCAPE' });
    // exists and delete report the refusal instead of answering false.
    await expect(fs.exists('link/x.txt')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_PATH_ESCAPE' });
    await expect(fs.delete('link/x.txt')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_PATH_ESCAPE' });
    expect(existsSync(join(fs.root, 'real', 'x.txt'))).toBe(false);
  });

  it('creates no directory when reading, stating, deleting or copying from a missing nested path', async () => {
    const fs = fresh();
    await fs.put('present.txt', 'p');
    await expect(fs.get('a/b/missing.txt')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_NOT_FOUND' });
    await expect(fs.stat('c/d/missing.txt')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_NOT_FOUND' });
    expect(await fs.delete('e/f/missing.txt')).toBe(false);
    await expect(fs.copy('g/h/missing.txt', 'copy.txt')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_NOT_FOUND' });
    for (const d of ['a', 'c', 'e', 'g']) expect(existsSync(join(fs.root, d)), d).toBe(false);
    // Writing creates the parents it needs.
    await fs.copy('present.txt', 'i/j/copy.txt');
    expect(await text(await fs.get('i/j/copy.txt'))).toBe('p');
  });
});

describe('LocalFileStorage content and listing', () => {
  it('writes strings, bytes and streams of string or byte chunks alike', async () => {
    const fs = fresh();
    await fs.put('s.txt', 'héllo');
    await fs.put('b.bin', new Uint8Array([104, 195, 169]));
    await fs.put('r.txt', Readable.from(['hé', 'llo']));
    await fs.put('rb.txt', Readable.from([Buffer.from('hé'), Buffer.from('llo')]));
    expect(await Promise.all(['s.txt', 'b.bin', 'r.txt', 'rb.txt'].map(async (p) => text(await fs.get(p))))).toEqual([
      'héllo',
      'hé',
      'héllo',
      'héllo',
    ]);
    expect((await fs.stat('s.txt')).size).toBe(6);
  });

  it('lists in name order at every level, hides in-flight temp files, and stops at the limit', async () => {
    const fs = fresh();
    for (const p of ['c.txt', 'a.txt', 'b/z.txt', 'b/y.txt', 'ab.txt']) await fs.put(p, p);
    writeFileSync(join(fs.root, '.plumego-tmp-0123456789ab'), 'half-written');
    writeFileSync(join(fs.root, 'b', '.plumego-tmp-ba9876543210'), 'half-written');
    expect((await fs.list()).map((f) => f.path)).toEqual(['a.txt', 'ab.txt', 'b/y.txt', 'b/z.txt', 'c.txt']);
    expect((await fs.list({ prefix: 'b/' })).map((f) => f.path)).toEqual(['b/y.txt', 'b/z.txt']);
    expect((await fs.list({ prefix: 'a' })).map((f) => f.path)).toEqual(['a.txt', 'ab.txt']);
    expect((await fs.list({ limit: 3 })).map((f) => f.path)).toEqual(['a.txt', 'ab.txt', 'b/y.txt']);
  });
});
