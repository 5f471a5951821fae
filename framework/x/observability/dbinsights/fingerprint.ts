const MAX_LENGTH = 1_000;

/**
 * The shape of a statement with every literal taken out: comments dropped, string, number and
 * boolean literals become `?`, `IN (...)` lists of placeholders collapse to `IN (?)`, whitespace is
 * one space. Statements that differ only in values share a fingerprint, and no value (which may be
 * personal data written inline) survives into a report.
 */
export function fingerprintSql(sql: string): string {
  let s = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\$[\s\S]*?\$\$/g, '?')
    .replace(/\b(?:true|false|null)\b/gi, '?')
    .replace(/(?<![\w$.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, '?')
    .replace(/\$\d+/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  s = s.replace(/\(\s*\?(?:\s*,\s*\?)+\s*\)/g, '(?)');
  return s.length > MAX_LENGTH ? s.slice(0, MAX_LENGTH) + '…' : s;
}
