/**
 * The one record every check produces. Reporters (text, json, sarif, github) render these;
 * the docs site reads them from the JSON report.
 */
export interface Violation {
  /** The check from specs/checks.yaml that found it (manifests, boundaries, …). */
  readonly check: string;
  /** The rule id within that check (schema, name-matches-path, default-deny, …). */
  readonly rule: string;
  readonly severity: 'error' | 'warn';
  /** Repository-relative file; line and column are 1-based (0 when unknown). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** Why the rule exists (shown once per rule in text output). */
  readonly rationale?: string;
  /** What to do about it. */
  readonly fix?: string;
  /** For graph rules: the importing and imported module (or file). */
  readonly from?: string;
  readonly to?: string;
  /** For graph rules: the edge kind (import, re-export, type-only, dynamic, require, …). */
  readonly kind?: string;
}

/** A configuration problem that makes the control plane unreadable (exit code 2). */
export class ConfigError extends Error {
  readonly code: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly hint: string;
  constructor(code: string, message: string, at: { file: string; line?: number; column?: number }, hint: string) {
    super(message);
    this.name = 'ConfigError';
    this.code = code;
    this.file = at.file;
    this.line = at.line ?? 0;
    this.column = at.column ?? 0;
    this.hint = hint;
  }
}
