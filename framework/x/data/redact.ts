/**
 * Connection strings carry passwords, and driver errors echo hosts, users and sometimes the whole
 * URL. Everything x/data logs or attaches as a cause passes through here first.
 */
const URL_WITH_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"]*@/gi;
const KEY_VALUE_SECRET = /\b(password|passwd|pwd|pass|secret|token|auth)\s*[=:]\s*("[^"]*"|'[^']*'|\S+)/gi;

/** `text` with credentials in URLs and `password=…`-style pairs replaced by `***`. */
export function redactSecrets(text: string): string {
  return text.replace(URL_WITH_CREDENTIALS, '$1***@').replace(KEY_VALUE_SECRET, '$1=***');
}

/** Host and port of a connection URL, for logs and metrics labels; never the user or password. */
export function describeEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return 'invalid-url';
  }
}

/**
 * A copy of a driver error that keeps what helps debugging (name, code, SQLSTATE, errno) and drops
 * what can leak (message text with values, `detail`, connection parameters). Used as `cause`.
 */
export function sanitizeDriverError(err: unknown): Error {
  const source = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const name = typeof source.name === 'string' ? source.name : 'Error';
  const code = typeof source.code === 'string' ? source.code : undefined;
  const safe = new Error(`${name}${code === undefined ? '' : ` (${code})`}`);
  safe.name = name;
  if (code !== undefined) (safe as Error & { code?: string }).code = code;
  for (const field of ['severity', 'routine', 'errno', 'syscall'] as const) {
    const value = source[field];
    if (typeof value === 'string' || typeof value === 'number')
      (safe as unknown as Record<string, unknown>)[field] = value;
  }
  return safe;
}
