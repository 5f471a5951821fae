/**
 * GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`, so violations
 * show up as annotations on the pull request diff without any upload step.
 */
import type { Violation } from '../control-plane/index.ts';
import { getRuleId } from './sarif.ts';
import { sortViolations } from './text.ts';

/** Escaping from the workflow-command spec: data escapes %, CR, LF; properties also escape : and ,. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function renderGithub(violations: readonly Violation[], footer: readonly string[] = []): string {
  const lines = sortViolations(violations).map((v) => {
    const props = [`file=${escapeProperty(v.file)}`];
    if (v.line > 0) props.push(`line=${v.line}`);
    if (v.column > 0) props.push(`col=${v.column}`);
    props.push(`title=${escapeProperty(getRuleId(v))}`);
    const body = v.fix ? `${v.message}\nFix: ${v.fix}` : v.message;
    return `::${v.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${escapeData(body)}`;
  });
  return `${[...lines, ...footer].join('\n')}\n`;
}
