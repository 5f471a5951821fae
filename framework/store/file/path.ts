import { StoreError } from '../errors.ts';

const MAX_PATH = 1024;
const MAX_SEGMENT = 255;

/**
 * Returns the path when it is a safe relative storage path: slash-separated, no empty, `.` or `..`
 * segments, no leading slash or drive letter, no backslash, NUL or control characters, at most
 * 1024 characters and 255 per segment.
 */
export function assertStoragePath(path: unknown): string {
  const bad = (reason: string): never => {
    throw new StoreError('PLUMEGO_ERR_FILE_INVALID_PATH', { reason });
  };
  if (typeof path !== 'string' || path === '' || path.length > MAX_PATH) bad('length');
  const text = path as string;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\x00-\x1f\x7f\\]/.test(text)) bad('characters');
  if (text.startsWith('/') || /^[A-Za-z]:/.test(text)) bad('absolute');
  for (const segment of text.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') bad('segment');
    if (segment.length > MAX_SEGMENT) bad('segment');
  }
  return text;
}
