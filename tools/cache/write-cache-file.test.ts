import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { writeCacheFile } from './write-cache-file.mjs';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeCacheFile', () => {
  it('creates missing folders, replaces the file whole and leaves no temporary file', () => {
    dir = mkdtempSync(`${tmpdir()}/plumego-cache-file-`);
    expect(writeCacheFile(`${dir}/a/b/cache.json`, '{"v":1}')).toBe(true);
    expect(writeCacheFile(`${dir}/a/b/cache.json`, new Uint8Array([123, 125]))).toBe(true);
    expect(readFileSync(`${dir}/a/b/cache.json`, 'utf8')).toBe('{}');
    expect(readdirSync(`${dir}/a/b`)).toEqual(['cache.json']);
  });

  it('returns false, without throwing or leaving anything, when the place cannot be written', () => {
    dir = mkdtempSync(`${tmpdir()}/plumego-cache-file-`);
    writeFileSync(`${dir}/blocker`, 'a file where a folder should be');
    expect(writeCacheFile(`${dir}/blocker/cache.json`, 'x')).toBe(false);
    writeFileSync(`${dir}/target`, 'old');
    expect(writeCacheFile(`${dir}/target/..`, 'x')).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['blocker', 'target']);
    expect(readFileSync(`${dir}/target`, 'utf8')).toBe('old');
  });
});
