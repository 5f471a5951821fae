import { PUBSUB_ERROR_CODES, PubSubError } from './errors.ts';

// One grammar every backend can carry unchanged or by a 1:1 translation: NATS subjects, AMQP
// routing keys, MQTT topics (`.` → `/`) and Redis keys all accept these characters.
const TOKEN = /^[A-Za-z0-9_-]+$/;
const MAX_SUBJECT_LENGTH = 255;

/** Returns the subject, or throws PUBSUB_INVALID_SUBJECT: dot-separated tokens of `[A-Za-z0-9_-]`, no wildcards. */
export function assertSubject(subject: unknown): string {
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH)
    throw invalid('subject');
  for (const token of subject.split('.')) if (!TOKEN.test(token)) throw invalid('subject');
  return subject;
}

/**
 * Returns the pattern, or throws PUBSUB_INVALID_SUBJECT. `*` matches exactly one token, `>` (last
 * token only) one or more — NATS semantics, which the other backends are translated to.
 */
export function assertPattern(pattern: unknown): string {
  if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > MAX_SUBJECT_LENGTH)
    throw invalid('pattern');
  const tokens = pattern.split('.');
  tokens.forEach((token, i) => {
    if (token === '*' || (token === '>' && i === tokens.length - 1)) return;
    if (!TOKEN.test(token)) throw invalid('pattern');
  });
  return pattern;
}

export function isWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.endsWith('>');
}

/** A predicate for an asserted pattern; exact patterns compare strings. */
export function compilePattern(pattern: string): (subject: string) => boolean {
  if (!isWildcard(pattern)) return (subject) => subject === pattern;
  const want = pattern.split('.');
  const tail = want[want.length - 1] === '>';
  const fixed = tail ? want.length - 1 : want.length;
  return (subject) => {
    const got = subject.split('.');
    if (tail ? got.length <= fixed : got.length !== fixed) return false;
    for (let i = 0; i < fixed; i++) if (want[i] !== '*' && want[i] !== got[i]) return false;
    return true;
  };
}

function invalid(what: string): PubSubError {
  // The offending value is user input: it stays out of the message.
  return new PubSubError(
    PUBSUB_ERROR_CODES.invalidSubject,
    `invalid ${what}: expected dot-separated tokens of [A-Za-z0-9_-]${what === 'pattern' ? ", '*' or a final '>'" : ''}`,
  );
}
