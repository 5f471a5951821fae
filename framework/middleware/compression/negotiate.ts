export type Encoding = 'br' | 'gzip';

/**
 * Picks the best encoding the client accepts from `supported` (server preference breaks ties).
 * `q=0` refuses an encoding; `*` stands for any encoding not named. Undefined means identity.
 */
export function negotiateEncoding(
  acceptEncoding: string | undefined,
  supported: readonly Encoding[],
): Encoding | undefined {
  if (acceptEncoding === undefined || acceptEncoding === '' || acceptEncoding.length > 1024) return undefined;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [rawName, ...params] = part.split(';');
    const name = (rawName ?? '').trim().toLowerCase();
    if (name === '') continue;
    let weight = 1;
    for (const param of params) {
      const [k, v] = param.split('=');
      if (k?.trim().toLowerCase() === 'q') {
        const parsed = Number(v?.trim());
        weight = Number.isFinite(parsed) && parsed >= 0 && parsed <= 1 ? parsed : 0;
      }
    }
    q.set(name === 'x-gzip' ? 'gzip' : name, weight);
  }
  let best: Encoding | undefined;
  let bestQ = 0;
  for (const encoding of supported) {
    const weight = q.get(encoding) ?? q.get('*') ?? 0;
    if (weight > bestQ) {
      best = encoding;
      bestQ = weight;
    }
  }
  return best;
}

// Only types that shrink: text, JSON, XML, JS, SVG and friends. Images, audio, video, fonts
// (woff/woff2 are compressed already), archives, PDFs and octet streams are left alone, and so is
// SSE, which must reach the client event by event.
const COMPRESSIBLE =
  /^(text\/(?!event-stream)[-\w.+]+|application\/(json|javascript|ecmascript|xml|xhtml\+xml|rss\+xml|atom\+xml|x-javascript|graphql-response\+json|wasm|manifest\+json|ld\+json|problem\+json|problem\+xml|x-www-form-urlencoded|[-\w.]+\+(json|xml))|image\/(svg\+xml|x-icon|vnd\.microsoft\.icon|bmp)|font\/(ttf|otf))\s*(;|$)/i;

export function isCompressibleType(contentType: string | undefined): boolean {
  return contentType !== undefined && COMPRESSIBLE.test(contentType.trim());
}
