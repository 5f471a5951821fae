import { describe, it, expect, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { LocalFileStorage } from './local-storage.ts';
import { assertStoragePath } from './path.ts';

const base = mkdtempSync(join(tmpdir(), 'plumego-file-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
function fresh() {
  const root = join(base, `root-${n++}`);
  return new LocalFileStorage({ root });
}

describe('assertStoragePath', () => {
  const cases = [
    { input: 'a/b/c.txt', ok: true },
    { input: 'file', ok: true },
    { input: '../etc/passwd', ok: false },
    { input: 'a/../../etc/passwd', ok: false },
    { input: 'a/./b', ok: false },
    { input: '/etc/passwd', ok: false },
    { input: 'a//b', ok: false },
    { input: 'a\\..\\b', ok: false },
    { input: 'C:/windows', ok: false },
    { input: 'a\u0000b', ok: false },
    { input: 'a/b/', ok: false },
    { input: '', ok: false },
    { input: 'x'.repeat(256), ok: false },
  ];
  for (const { input, ok } of cases) {
    it(`${JSON.stringify(input.slice(0, 24))} → ${ok}`, () => {
      if (ok) expect(assertStoragePath(input)).toBe(input);
      else
        expect(() => assertStoragePath(input)).toThrow(
          expect.objectContaining({ code: 'PLUMEGO_ERR_FILE_INVALID_PATH' }),
        );
    });
  }
});

describe('LocalFileStorage', () => {
  it('puts, gets, stats, lists, copies and deletes files', async () => {
    const fs = fresh();
    await fs.put('docs/a.txt', 'hello');
    await fs.put('docs/sub/b.txt', Readable.from([Buffer.from('wor'), Buffer.from('ld')]));
    await fs.put('other.bin', new Uint8Array([1, 2, 3]));
    expect(await text(await fs.get('docs/sub/b.txt'))).toBe('world');
    expect((await fs.stat('docs/a.txt')).size).toBe(5);
    expect((await fs.list({ prefix: 'docs/' })).map((f) => f.path)).toEqual(['docs/a.txt', 'docs/sub/b.txt']);
    expect((await fs.copy('docs/a.txt', 'copy/a.txt')).size).toBe(5);
    expect(await fs.delete('docs/a.txt')).toBe(true);
    expect(await fs.delete('docs/a.txt')).toBe(false);
    expect(await fs.exists('docs/a.txt')).toBe(false);
    await expect(fs.get('docs/a.txt')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_NOT_FOUND' });
    await expect(fs.stat('nope/x')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_NOT_FOUND' });
  });

  it('overwrites atomically and leaves nothing behind when the source stream fails', async () => {
    const fs = fresh();
    await fs.put('f.txt', 'original');
    const failing = new Readable({
      read() {
        this.push('partial');
        this.destroy(new Error('upstream broke'));
      },
    });
    await expect(fs.put('f.txt', failing)).rejects.toThrow('upstream broke');
    expect(await text(await fs.get('f.txt'))).toBe('original');
    expect(readdirSync(fs.root)).toEqual(['f.txt']);
  });

  it('refuses traversal in every operation', async () => {
    const fs = fresh();
    for (const op of [
      () => fs.get('../x'),
      () => fs.put('../x', 'y'),
      () => fs.stat('a/../../x'),
      () => fs.delete('/etc/passwd'),
      () => fs.copy('a', '../b'),
    ]) {
      await expect(op()).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_INVALID_PATH' });
    }
  });

  it('refuses to read, write or list through a symlinked directory pointing outside', async () => {
    const fs = fresh();
    const outside = join(base, `outside-${n++}`);
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'top secret');
    symlinkSync(outside, join(fs.root, 'link'));
    await expect(fs.get('link/secret.txt')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_PATH_ESCAPE' });
    await expect(fs.put('link/planted.txt', 'x')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_PATH_ESCAPE' });
    expect(readdirSync(outside)).toEqual(['secret.txt']);
    expect(await fs.list()).toEqual([]);
  });

  it('refuses to read a symlinked file pointing outside', async () => {
    const fs = fresh();
    const outside = join(base, `outside-file-${n++}.txt`);
    writeFileSync(outside, 'top secret');
    symlinkSync(outside, join(fs.root, 'passwd'));
    await expect(fs.get('passwd')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_PATH_ESCAPE' });
    await expect(fs.stat('passwd')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_PATH_ESCAPE' });
    await expect(fs.copy('passwd', 'stolen.txt')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_FILE_PATH_ESCAPE' });
  });

  it('replaces a planted symlink on write instead of writing through it', async () => {
    const fs = fresh();
    const outside = join(base, `victim-${n++}.txt`);
    writeFileSync(outside, 'untouched');
    symlinkSync(outside, join(fs.root, 'target.txt'));
    await fs.put('target.txt', 'new content');
    expect(await text(await fs.get('target.txt'))).toBe('new content');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(outside, 'utf8')).toBe('untouched');
  });
});
