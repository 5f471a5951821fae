/** Thrown for a git ref that does not name a commit (a usage error, exit 2). */
export class BadRefError extends Error {
  override readonly name = 'BadRefError';
}
