/** Reduces a client-supplied file name to a display name: no path, no control characters, ≤ 255 bytes. */
export function sanitizeFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  let name = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  if (name === '' || name === '.' || name === '..') return 'file';
  while (Buffer.byteLength(name) > 255) name = name.slice(0, -1);
  return name;
}

/**
 * `attachment` with an ASCII fallback and the RFC 8187 UTF-8 form, so every client gets a usable name
 * and no client can be tricked into a header split.
 */
export function getContentDisposition(name: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Media types as `type/subtype` or `type/*`, compared case-insensitively without parameters. */
export function isAllowedContentType(contentType: string, allowed: readonly string[] | undefined): boolean {
  if (allowed === undefined) return true;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return allowed.some((a) => a === type || (a.endsWith('/*') && type.startsWith(a.slice(0, -1))));
}
