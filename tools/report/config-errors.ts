/**
 * Configuration errors (exit code 2) in every report format: a machine reading `--format json`,
 * `sarif` or `github` gets a document on stdout even when the specs cannot be loaded, with each
 * error at its file:line:column, its stable code and its fix. Text goes to stderr as before.
 */
import type { ConfigError, Violation } from '../control-plane/index.ts';
import { renderGithub } from './github.ts';
import { renderSarif } from './sarif.ts';

export interface ConfigErrorRecord {
  readonly code: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly hint: string;
}

export function toConfigErrorRecord(e: ConfigError): ConfigErrorRecord {
  return { code: e.code, file: e.file, line: e.line, column: e.column, message: e.message, hint: e.hint };
}

/** The report for a run that stopped at configuration errors; undefined for text (rendered on stderr). */
export function renderConfigErrorReport(errors: readonly ConfigError[], format: string): string | undefined {
  if (format === 'json') {
    const body = {
      tool: 'plumego',
      checks: [],
      summary: { violations: 0, errors: 0, warnings: 0 },
      notImplemented: [],
      violations: [],
      configErrors: errors.map(toConfigErrorRecord),
    };
    return `${JSON.stringify(body, null, 2)}\n`;
  }
  // Code scanning and workflow annotations show them like violations, under the error's code.
  const asViolations: Violation[] = errors.map((e) => ({
    check: 'configuration',
    rule: e.code,
    severity: 'error',
    file: e.file,
    line: e.line,
    column: e.column,
    message: e.message,
    fix: e.hint,
    rationale:
      'Plumego reads nothing it cannot parse and validate; every other check waits for the configuration to load.',
  }));
  if (format === 'sarif') return renderSarif(asViolations);
  if (format === 'github') return renderGithub(asViolations, ['plumego check: configuration errors; no check ran.']);
  return undefined;
}
