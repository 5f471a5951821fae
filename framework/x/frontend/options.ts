import { FrontendError } from './errors.ts';

export interface FrontendOptions {
  /** Directory to serve. Exactly one of `dir` and `assets` is required. */
  dir?: string;
  /** In-memory assets keyed by path (`index.html`, `assets/app-3f9a1c2b.js`); `.br`/`.gz` siblings are variants. */
  assets?: Readonly<Record<string, string | Uint8Array>>;
  /** URL prefix of the mount. Default `/`. */
  prefix?: string;
  /** Index document served for `/` and directory paths. Default `index.html`. */
  index?: string;
  /** Serve the index for navigations (GET/HEAD, HTML accepted, no file extension) that match no file. Default true. */
  fallback?: boolean;
  /** Cache-Control for hashed (fingerprinted) assets. Default `public, max-age=31536000, immutable`. */
  hashedCacheControl?: string;
  /** Cache-Control for other assets. Default `public, max-age=0, must-revalidate`. */
  cacheControl?: string;
  /** Cache-Control for HTML documents, including the fallback index. Default `no-cache`. */
  indexCacheControl?: string;
  /**
   * Tells fingerprinted file names apart. Default: a `-` or `.` separated run of 8+ base64url characters
   * containing a digit or capital right before the extension (`app-3f9a1c2b.js`, `index-DiwrgTda.css`);
   * an all-lowercase word such as `my-component.js` is not a hash.
   */
  isHashed?: (path: string) => boolean;
  /** Look for precompressed `.br`/`.gz` siblings and negotiate them. Default true. */
  precompressed?: boolean;
  /** Extension → MIME type overrides (`{ ".wasm": "application/wasm" }`). Default none. */
  mimeTypes?: Readonly<Record<string, string>>;
  /** Extra headers on every asset response. Values are validated at construction. Default none. */
  headers?: Readonly<Record<string, string>>;
  /** A file (relative to the root) served with status 404 for misses. Default: the plain-text 404. */
  notFoundPage?: string;
}

export interface ResolvedFrontendOptions {
  prefix: string;
  index: string;
  fallback: boolean;
  hashedCacheControl: string;
  cacheControl: string;
  indexCacheControl: string;
  isHashed: (path: string) => boolean;
  precompressed: boolean;
  mimeTypes: ReadonlyMap<string, string>;
  headers: ReadonlyArray<readonly [string, string]>;
  notFoundPage: string | undefined;
}

export const DEFAULT_FRONTEND_OPTIONS = {
  prefix: '/',
  index: 'index.html',
  fallback: true,
  hashedCacheControl: 'public, max-age=31536000, immutable',
  cacheControl: 'public, max-age=0, must-revalidate',
  indexCacheControl: 'no-cache',
  precompressed: true,
} as const;

const HASHED = /[.-]([A-Za-z0-9_]{8,})\.[A-Za-z0-9]+$/;

export function isHashedAssetName(path: string): boolean {
  const m = HASHED.exec(path);
  return m !== null && /[0-9A-Z]/.test(m[1]!);
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Visible ASCII, space and tab only: no CR/LF, so a header value can never split a response.
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;

function assertRelativeFile(value: string, field: string): string {
  const rel = value.replace(/^\/+/, '');
  if (rel === '' || rel.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new FrontendError(`${field} must be a file path inside the root, got ${JSON.stringify(value)}`);
  }
  return rel;
}

function resolvePrefix(prefix: string): string {
  if (!prefix.startsWith('/') || prefix.includes('*') || prefix.includes(':') || prefix.includes('//')) {
    throw new FrontendError(`prefix must be an absolute literal path, got ${JSON.stringify(prefix)}`);
  }
  return prefix.length > 1 ? prefix.replace(/\/+$/, '') : '/';
}

export function resolveFrontendOptions(options: FrontendOptions): ResolvedFrontendOptions {
  const headers = Object.entries(options.headers ?? {}).map(([k, v]) => {
    if (!TOKEN.test(k) || !FIELD_VALUE.test(v)) throw new FrontendError(`invalid header ${JSON.stringify(k)}`);
    return [k.toLowerCase(), v] as const;
  });
  const mimeTypes = new Map<string, string>();
  for (const [ext, type] of Object.entries(options.mimeTypes ?? {})) {
    if (!/^\.?[A-Za-z0-9_+-]+$/.test(ext) || !/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(type) || !FIELD_VALUE.test(type)) {
      throw new FrontendError(`invalid MIME override ${JSON.stringify(ext)} → ${JSON.stringify(type)}`);
    }
    mimeTypes.set((ext.startsWith('.') ? ext : `.${ext}`).toLowerCase(), type);
  }
  for (const field of ['hashedCacheControl', 'cacheControl', 'indexCacheControl'] as const) {
    const v = options[field];
    if (v !== undefined && !FIELD_VALUE.test(v)) throw new FrontendError(`invalid ${field}`);
  }
  const d = DEFAULT_FRONTEND_OPTIONS;
  return {
    prefix: resolvePrefix(options.prefix ?? d.prefix),
    index: assertRelativeFile(options.index ?? d.index, 'index'),
    fallback: options.fallback ?? d.fallback,
    hashedCacheControl: options.hashedCacheControl ?? d.hashedCacheControl,
    cacheControl: options.cacheControl ?? d.cacheControl,
    indexCacheControl: options.indexCacheControl ?? d.indexCacheControl,
    isHashed: options.isHashed ?? isHashedAssetName,
    precompressed: options.precompressed ?? d.precompressed,
    mimeTypes,
    headers,
    notFoundPage:
      options.notFoundPage === undefined ? undefined : assertRelativeFile(options.notFoundPage, 'notFoundPage'),
  };
}
