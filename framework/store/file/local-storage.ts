import { randomBytes } from 'node:crypto';
import { constants, mkdirSync, realpathSync } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { StoreError } from '../errors.ts';
import { assertStoragePath } from './path.ts';
import type { FileListOptions, FileStat, FileStorage } from './storage.ts';

export interface LocalFileStorageOptions {
  /** Directory holding the files. Required; created when missing. */
  root: string;
}

/** In-flight writes; never listed. */
const TEMP_PREFIX = '.plumego-tmp-';

function isMissing(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function escape(): StoreError {
  return new StoreError('PLUMEGO_ERR_FILE_PATH_ESCAPE');
}

/**
 * Files on the local disk under one root. Beyond path validation, every existing component between
 * the root and the file must be a real directory (no symlinks), the final file is opened with
 * `O_NOFOLLOW`, and writes go to a temp file that is renamed into place — so a symlink planted in
 * the tree can neither redirect a read nor a write outside the root.
 */
export class LocalFileStorage implements FileStorage {
  readonly root: string;

  constructor(options: LocalFileStorageOptions) {
    if (typeof options?.root !== 'string' || options.root === '') throw new TypeError('root is required');
    mkdirSync(options.root, { recursive: true });
    this.root = realpathSync(options.root);
  }

  /** Resolves a storage path to an absolute one, refusing symlinked components. */
  async #resolve(path: string, createParents: boolean): Promise<string> {
    const segments = assertStoragePath(path).split('/');
    let current = this.root;
    for (let i = 0; i < segments.length - 1; i++) {
      current = join(current, segments[i] as string);
      try {
        const info = await lstat(current);
        if (info.isSymbolicLink() || !info.isDirectory()) throw escape();
      } catch (err) {
        if (!isMissing(err) || !createParents) {
          if (isMissing(err)) throw new StoreError('PLUMEGO_ERR_FILE_NOT_FOUND');
          throw err;
        }
        await mkdir(current);
      }
    }
    const full = join(current, segments[segments.length - 1] as string);
    // Belt and braces: the resolved parent must still be inside the root.
    const parent = await realpath(dirname(full)).catch(() => dirname(full));
    if (parent !== this.root && !parent.startsWith(this.root + sep)) throw escape();
    return full;
  }

  async #statOf(path: string, full: string): Promise<FileStat> {
    const info = await lstat(full).catch((err: unknown) => {
      throw isMissing(err) ? new StoreError('PLUMEGO_ERR_FILE_NOT_FOUND') : err;
    });
    if (info.isSymbolicLink()) throw escape();
    if (!info.isFile()) throw new StoreError('PLUMEGO_ERR_FILE_NOT_FOUND');
    return { path, size: info.size, modifiedAt: Math.floor(info.mtimeMs) };
  }

  async put(path: string, source: Readable | Uint8Array | string): Promise<FileStat> {
    const full = await this.#resolve(path, true);
    const temp = join(dirname(full), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    const handle = await open(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o644,
    );
    try {
      if (typeof source === 'string' || source instanceof Uint8Array) await handle.writeFile(source);
      else
        for await (const chunk of source)
          await handle.write(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array));
      await handle.sync();
    } catch (err) {
      await handle.close().catch(() => {});
      await rm(temp, { force: true });
      throw err;
    }
    await handle.close();
    await rename(temp, full);
    return this.#statOf(path, full);
  }

  async get(path: string): Promise<Readable> {
    const full = await this.#resolve(path, false);
    let handle;
    try {
      handle = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      if (isMissing(err)) throw new StoreError('PLUMEGO_ERR_FILE_NOT_FOUND');
      if ((err as { code?: string }).code === 'ELOOP') throw escape();
      throw err;
    }
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      throw new StoreError('PLUMEGO_ERR_FILE_NOT_FOUND');
    }
    return handle.createReadStream();
  }

  async stat(path: string): Promise<FileStat> {
    return this.#statOf(path, await this.#resolve(path, false));
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.stat(path);
      return true;
    } catch (err) {
      if ((err as StoreError).code === 'PLUMEGO_ERR_FILE_NOT_FOUND') return false;
      throw err;
    }
  }

  async delete(path: string): Promise<boolean> {
    let full: string;
    try {
      full = await this.#resolve(path, false);
      await this.#statOf(path, full);
    } catch (err) {
      if ((err as StoreError).code === 'PLUMEGO_ERR_FILE_NOT_FOUND') return false;
      throw err;
    }
    await rm(full);
    return true;
  }

  async list(options: FileListOptions = {}): Promise<FileStat[]> {
    const prefix = options.prefix ?? '';
    const limit = options.limit ?? 1000;
    const out: FileStat[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const entry of entries) {
        if (out.length >= limit) return;
        const full = join(dir, entry.name);
        const path = relative(this.root, full).split(sep).join('/');
        // Symlinks are never followed or listed; temp files of in-flight writes are hidden.
        if (entry.isDirectory()) {
          if (path.startsWith(prefix) || prefix.startsWith(`${path}/`)) await walk(full);
        } else if (entry.isFile() && !entry.name.startsWith(TEMP_PREFIX) && path.startsWith(prefix)) {
          const info = await stat(full);
          out.push({ path, size: info.size, modifiedAt: Math.floor(info.mtimeMs) });
        }
      }
    };
    await walk(this.root);
    return out;
  }

  async copy(from: string, to: string): Promise<FileStat> {
    assertStoragePath(from);
    assertStoragePath(to);
    const source = await this.#resolve(from, false);
    await this.#statOf(from, source);
    const target = await this.#resolve(to, true);
    const temp = join(dirname(target), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    await copyFile(source, temp, constants.COPYFILE_EXCL);
    await rename(temp, target);
    return this.#statOf(to, target);
  }
}
