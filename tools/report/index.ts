import type { Violation } from '../control-plane/index.ts';
import { renderGithub } from './github.ts';
import { renderSarif } from './sarif.ts';
import { renderText, sortViolations } from './text.ts';

export { renderConfigErrorReport } from './config-errors.ts';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'github'] as const;

export interface ReportOptions {
  readonly format: string;
  /** Checks that ran (listed in the JSON report). */
  readonly checks: readonly string[];
  /** Modules declared but not implemented (informational). */
  readonly notImplemented?: readonly string[];
  readonly footer?: readonly string[];
  /** The tool version for SARIF (package.json version). */
  readonly toolVersion?: string;
}

export interface Report {
  readonly output: string;
  readonly exitCode: number;
}

/** Pure: violations in, rendered output and exit code out (1 when any error-severity violation). */
export function renderReport(violations: readonly Violation[], options: ReportOptions): Report {
  const errors = violations.filter((v) => v.severity === 'error').length;
  const exitCode = errors > 0 ? 1 : 0;
  if (options.format === 'json') {
    const body = {
      tool: 'plumego',
      checks: options.checks,
      summary: { violations: violations.length, errors, warnings: violations.length - errors },
      notImplemented: options.notImplemented ?? [],
      violations: sortViolations(violations),
    };
    return { output: `${JSON.stringify(body, null, 2)}\n`, exitCode };
  }
  // Machine formats carry no footer prose (SARIF must stay valid JSON); github prints it as plain log lines.
  if (options.format === 'sarif')
    return {
      output: renderSarif(violations, options.toolVersion ? { toolVersion: options.toolVersion } : {}),
      exitCode,
    };
  if (options.format === 'github') return { output: renderGithub(violations, options.footer ?? []), exitCode };
  return { output: renderText(violations, { footer: options.footer ?? [] }), exitCode };
}
