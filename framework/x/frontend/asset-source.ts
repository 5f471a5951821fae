import { createHash } from 'node:crypto';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { FrontendError } from './errors.ts';

/** One servable file. */
export interface AssetFile {
  size: number;
  /** Undefined for embedded assets, which have no meaningful modification time. */
  mtimeMs: number | undefined;
  etag: string;
  /** Opens the bytes `[start, end]` (inclusive); the whole file without a range. */
  open(range?: { start: number; end: number }): Readable;
}

export type AssetLookup = { kind: 'file'; file: AssetFile } | { kind: 'dir' } | undefined;

/** Where assets come from. `rel` is already validated: no empty, `.` or `..` segments, no leading slash. */
export interface AssetSource {
  lookup(rel: string): Promise<AssetLookup>;
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENAMETOOLONG';
}

/**
 * Serves a directory. Every lookup resolves symlinks and checks the real path is still inside the real
 * root, so a link planted in the build output cannot expose files outside it.
 */
export class DirectorySource implements AssetSource {
  readonly root: string;

  constructor(dir: string) {
    let root: string;
    try {
      root = realpathSync(resolve(dir));
    } catch {
      throw new FrontendError(`frontend root does not exist: ${dir}`);
    }
    if (!statSync(root).isDirectory()) throw new FrontendError(`frontend root is not a directory: ${dir}`);
    this.root = root;
  }

  async lookup(rel: string): Promise<AssetLookup> {
    let real: string;
    try {
      real = await realpath(join(this.root, rel));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    if (real !== this.root && !real.startsWith(this.root + sep)) return undefined;
    const st = await stat(real);
    if (st.isDirectory()) return { kind: 'dir' };
    if (!st.isFile()) return undefined;
    // Whole milliseconds as Node's `mtime` Date rounds them, so validators match send/serve-static's.
    const mtimeMs = st.mtime.getTime();
    return {
      kind: 'file',
      file: {
        size: st.size,
        mtimeMs,
        // Weak: size+mtime says "same content" reliably enough to revalidate, not byte-for-byte identity.
        etag: `W/"${st.size.toString(16)}-${mtimeMs.toString(16)}"`,
        open: (range) => createReadStream(real, range ? { start: range.start, end: range.end } : {}),
      },
    };
  }
}

/** Serves an in-memory map of assets (for single-file deployments), hashed once for strong ETags. */
export class EmbeddedSource implements AssetSource {
  readonly #files = new Map<string, AssetFile>();
  readonly #dirs = new Set<string>(['']);

  constructor(assets: Readonly<Record<string, string | Uint8Array>>) {
    for (const [name, content] of Object.entries(assets)) {
      const rel = name.replace(/^\/+/, '');
      if (rel === '' || rel.split('/').some((s) => s === '' || s === '.' || s === '..')) {
        throw new FrontendError(`invalid embedded asset path: ${name}`);
      }
      const bytes =
        typeof content === 'string'
          ? Buffer.from(content)
          : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
      const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;
      this.#files.set(rel, {
        size: bytes.length,
        mtimeMs: undefined,
        etag,
        open: (range) => Readable.from([range ? bytes.subarray(range.start, range.end + 1) : bytes]),
      });
      const parts = rel.split('/');
      for (let i = 1; i < parts.length; i++) this.#dirs.add(parts.slice(0, i).join('/'));
    }
  }

  async lookup(rel: string): Promise<AssetLookup> {
    const file = this.#files.get(rel);
    if (file) return { kind: 'file', file };
    return this.#dirs.has(rel.replace(/\/$/, '')) ? { kind: 'dir' } : undefined;
  }
}
