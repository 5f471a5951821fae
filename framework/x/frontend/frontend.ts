import { contentType as mimeContentType } from 'mime-types';
import { extname } from 'node:path';
import { APIError, writeError, type Handler, type Request, type ResponseWriter } from 'plumego/contract';
import { DirectorySource, EmbeddedSource, type AssetFile, type AssetSource } from './asset-source.ts';
import { getVariantSuffix, selectEncoding, type Encoding } from './encoding.ts';
import { FRONTEND_ERROR_CODES, FrontendError } from './errors.ts';
import { isNotModified, isRangeFresh, parseRange } from './http-cache.ts';
import { resolveFrontendOptions, type FrontendOptions, type ResolvedFrontendOptions } from './options.ts';
import { sendStream } from './send.ts';

/** The part of an app, router or group that `Frontend.register` needs. */
export interface FrontendRegistrar {
  get(path: string, handler: Handler): void;
}

export interface Frontend {
  readonly prefix: string;
  readonly options: ResolvedFrontendOptions;
  readonly handler: Handler;
  /** Registers GET (and so HEAD) for `<prefix>` and `<prefix>/*filepath`. Register API routes first. */
  register(app: FrontendRegistrar): void;
}

type Resolved = { rel: string } | { invalid: true } | { hidden: true };

/** Decodes and checks the path below the prefix; `..`, NUL, backslashes and dotfiles are refused outright. */
function toRelativePath(r: Request, prefix: string): Resolved | undefined {
  let path: string;
  try {
    path = decodeURIComponent(r.path);
  } catch {
    return { invalid: true };
  }
  if (prefix !== '/') {
    if (path !== prefix && !path.startsWith(prefix + '/')) return undefined;
    path = path.slice(prefix.length);
  }
  const segments = path.split('/').filter((s) => s !== '');
  for (const s of segments) {
    if (s === '..' || s === '.' || s.includes('\\') || s.includes('\0')) return { invalid: true };
    // Dotfiles (.env, .git) are never part of a build's public surface; .well-known is the exception.
    if (s.startsWith('.') && s !== '.well-known') return { hidden: true };
  }
  const rel = segments.join('/');
  return { rel: path.endsWith('/') && rel !== '' ? `${rel}/` : rel };
}

function isNavigation(r: Request, rel: string): boolean {
  if (r.method !== 'GET' && r.method !== 'HEAD') return false;
  const last = rel.slice(rel.lastIndexOf('/') + 1);
  if (last.includes('.')) return false;
  return r.header('sec-fetch-mode') === 'navigate' || (r.header('accept') ?? '').includes('text/html');
}

function redirectToSlash(w: ResponseWriter, r: Request): void {
  // One leading slash only: `//evil.example/docs` must not become a protocol-relative redirect.
  const location = `/${r.path.replace(/^\/+/, '')}/${r.rawQuery === '' ? '' : `?${r.rawQuery}`}`;
  w.setHeader('location', location);
  w.setHeader('cache-control', 'no-cache');
  w.writeHead(301);
  w.end();
}

interface Selected {
  file: AssetFile;
  encoding: Encoding;
}

class FrontendServer {
  constructor(
    readonly o: ResolvedFrontendOptions,
    readonly source: AssetSource,
  ) {}

  getContentType(rel: string): string {
    const ext = extname(rel).toLowerCase();
    return this.o.mimeTypes.get(ext) || mimeContentType(ext || 'bin') || 'application/octet-stream';
  }

  getCacheControl(rel: string): string {
    if (rel.endsWith('.html') || rel === this.o.index) return this.o.indexCacheControl;
    return this.o.isHashed(rel) ? this.o.hashedCacheControl : this.o.cacheControl;
  }

  async findFile(rel: string): Promise<{ rel: string; file: AssetFile } | 'redirect' | undefined> {
    const hit = await this.source.lookup(rel.replace(/\/$/, ''));
    if (hit?.kind === 'file' && !rel.endsWith('/')) return { rel, file: hit.file };
    if (hit?.kind !== 'dir') return undefined;
    // `/docs` must become `/docs/` before its index is served, or the page's relative links resolve
    // against the parent directory. The mount root itself is served as is.
    if (rel !== '' && !rel.endsWith('/')) return 'redirect';
    const indexRel = rel === '' ? this.o.index : `${rel.replace(/\/$/, '')}/${this.o.index}`;
    const index = await this.source.lookup(indexRel);
    return index?.kind === 'file' ? { rel: indexRel, file: index.file } : undefined;
  }

  async selectVariant(r: Request, w: ResponseWriter, rel: string, file: AssetFile): Promise<Selected | undefined> {
    if (!this.o.precompressed) return { file, encoding: 'identity' };
    const variants = new Map<Encoding, AssetFile>([['identity', file]]);
    for (const e of ['br', 'gzip'] as const) {
      const v = await this.source.lookup(rel + getVariantSuffix(e));
      if (v?.kind === 'file') variants.set(e, v.file);
    }
    if (variants.size > 1) w.appendHeader('vary', 'Accept-Encoding');
    const encoding = selectEncoding(r.header('accept-encoding'), new Set(variants.keys()));
    return encoding === undefined ? undefined : { file: variants.get(encoding)!, encoding };
  }

  async serve(
    w: ResponseWriter,
    r: Request,
    rel: string,
    file: AssetFile,
    status: 200 | 404,
    cacheControl: string,
  ): Promise<void> {
    const selected = await this.selectVariant(r, w, rel, file);
    if (selected === undefined) {
      writeError(w, r, new APIError({ type: 'not_acceptable', message: 'no acceptable content encoding' }));
      return;
    }
    const { file: body, encoding } = selected;
    // Variants are different representations, so each needs its own validator.
    const etag = encoding === 'identity' ? body.etag : body.etag.replace(/"$/, `-${encoding}"`);
    const lastModified = body.mtimeMs === undefined ? undefined : new Date(body.mtimeMs).toUTCString();
    for (const [k, v] of this.o.headers) w.setHeader(k, v);
    w.setHeader('content-type', this.getContentType(rel));
    w.setHeader('x-content-type-options', 'nosniff');
    w.setHeader('cache-control', cacheControl);
    if (encoding !== 'identity') w.setHeader('content-encoding', encoding);
    if (status === 404) return this.send(w, r, body, 404);
    w.setHeader('etag', etag);
    if (lastModified !== undefined) w.setHeader('last-modified', lastModified);
    w.setHeader('accept-ranges', 'bytes');
    if (
      isNotModified(
        { ifNoneMatch: r.header('if-none-match'), ifModifiedSince: r.header('if-modified-since') },
        etag,
        body.mtimeMs,
      )
    ) {
      w.removeHeader('content-type');
      w.removeHeader('content-encoding');
      // RFC 9110 §8.6: a 304 may carry Content-Length only as the size a 200 would have had.
      w.setHeader('content-length', String(body.size));
      w.writeHead(304);
      w.end();
      return;
    }
    const range = isRangeFresh(r.header('if-range'), etag, lastModified)
      ? parseRange(r.header('range'), body.size)
      : undefined;
    if (range === 'unsatisfiable') {
      w.removeHeader('content-type');
      w.removeHeader('content-encoding');
      w.setHeader('content-range', `bytes */${body.size}`);
      writeError(
        w,
        r,
        new APIError({ status: 416, code: FRONTEND_ERROR_CODES.rangeNotSatisfiable, message: 'range not satisfiable' }),
      );
      return;
    }
    if (range !== undefined) {
      w.setHeader('content-range', `bytes ${range.start}-${range.end}/${body.size}`);
      return this.send(w, r, body, 206, range);
    }
    return this.send(w, r, body, 200);
  }

  async send(
    w: ResponseWriter,
    r: Request,
    file: AssetFile,
    status: number,
    range?: { start: number; end: number },
  ): Promise<void> {
    w.setHeader('content-length', String(range ? range.end - range.start + 1 : file.size));
    w.writeHead(status);
    if (r.method === 'HEAD') {
      w.end();
      return;
    }
    await sendStream(w, file.open(range), r.signal);
  }

  async notFound(w: ResponseWriter, r: Request): Promise<void> {
    if (this.o.notFoundPage !== undefined) {
      const page = await this.source.lookup(this.o.notFoundPage);
      if (page?.kind === 'file') return this.serve(w, r, this.o.notFoundPage, page.file, 404, 'no-cache');
    }
    // The app's error path (envelope, request id, its formatErrorBody hook), like every other 404.
    writeError(w, r, new APIError({ type: 'resource_not_found', message: 'not found' }));
  }

  handle: Handler = async (w, r) => {
    if (r.method !== 'GET' && r.method !== 'HEAD') {
      w.setHeader('allow', 'GET, HEAD');
      writeError(w, r, new APIError({ type: 'method_not_allowed' }));
      return;
    }
    const resolved = toRelativePath(r, this.o.prefix);
    if (resolved === undefined) return this.notFound(w, r);
    if ('invalid' in resolved) {
      writeError(
        w,
        r,
        new APIError({ type: 'bad_request', code: FRONTEND_ERROR_CODES.invalidPath, message: 'invalid path' }),
      );
      return;
    }
    if ('hidden' in resolved) return this.notFound(w, r);
    const found = await this.findFile(resolved.rel);
    if (found === 'redirect') return redirectToSlash(w, r);
    if (found) return this.serve(w, r, found.rel, found.file, 200, this.getCacheControl(found.rel));
    if (this.o.fallback && isNavigation(r, resolved.rel)) {
      const index = await this.source.lookup(this.o.index);
      if (index?.kind === 'file') return this.serve(w, r, this.o.index, index.file, 200, this.o.indexCacheControl);
    }
    return this.notFound(w, r);
  };
}

/**
 * Serves a built frontend from a directory or an in-memory asset map. Options are checked here, once:
 * a missing root, a header value with a line break or a bad prefix throw `FrontendError` at startup.
 */
export function createFrontend(options: FrontendOptions): Frontend {
  if ((options.dir === undefined) === (options.assets === undefined)) {
    throw new FrontendError('exactly one of dir and assets is required');
  }
  const resolved = resolveFrontendOptions(options);
  const source = options.dir !== undefined ? new DirectorySource(options.dir) : new EmbeddedSource(options.assets!);
  const server = new FrontendServer(resolved, source);
  const prefix = resolved.prefix;
  return {
    prefix,
    options: resolved,
    handler: server.handle,
    register(app) {
      app.get(prefix, server.handle);
      app.get(prefix === '/' ? '/*filepath' : `${prefix}/*filepath`, server.handle);
    },
  };
}
