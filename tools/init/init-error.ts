/** A reason `plumego init` cannot go on (exit code 2), with a stable code and what to do about it. */
export class InitError extends Error {
  override readonly name = 'InitError';
  readonly code: string;
  readonly hint: string;
  constructor(code: string, message: string, hint: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}
