/**
 * SARIF 2.1.0 for GitHub code scanning: one reporting descriptor per check/rule (its rationale as
 * the full description, its fix as help), one result per violation. Pure and deterministic: no
 * absolute paths, no timestamps, so the output can be golden-tested and diffed.
 */
import { createHash } from 'node:crypto';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { Violation } from '../control-plane/index.ts';
import { sortViolations } from './text.ts';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifOptions {
  /** The tool version written into the log (package.json version). */
  readonly toolVersion?: string;
}

export function getRuleId(v: Pick<Violation, 'check' | 'rule'>): string {
  return `${v.check}/${v.rule}`;
}

export function buildSarif(violations: readonly Violation[], options: SarifOptions = {}): Log {
  const sorted = sortViolations(violations);
  const rules: ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  for (const v of sorted) {
    const id = getRuleId(v);
    if (ruleIndex.has(id)) continue;
    ruleIndex.set(id, rules.length);
    rules.push({
      id,
      name: v.rule,
      shortDescription: { text: `${v.check}: ${v.rule}` },
      ...(v.rationale ? { fullDescription: { text: v.rationale } } : {}),
      ...(v.fix ? { help: { text: v.fix } } : {}),
      defaultConfiguration: { level: v.severity === 'error' ? 'error' : 'warning' },
    });
  }
  const results: Result[] = sorted.map((v) => ({
    ruleId: getRuleId(v),
    ruleIndex: ruleIndex.get(getRuleId(v))!,
    level: v.severity === 'error' ? 'error' : 'warning',
    message: { text: v.fix ? `${v.message}\nFix: ${v.fix}` : v.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: toUri(v.file), uriBaseId: '%SRCROOT%' },
          // Code scanning needs a line; file-level findings (line 0) point at the first line.
          region: { startLine: Math.max(1, v.line), ...(v.column > 0 ? { startColumn: v.column } : {}) },
        },
      },
    ],
    // Stable across line moves, so code scanning tracks one finding instead of closing and reopening it.
    partialFingerprints: { 'plumegoViolation/v1': fingerprint(v) },
    ...(v.from || v.to || v.kind
      ? {
          properties: {
            ...(v.from ? { from: v.from } : {}),
            ...(v.to ? { to: v.to } : {}),
            ...(v.kind ? { kind: v.kind } : {}),
          },
        }
      : {}),
  }));
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'plumego',
            informationUri: 'https://plumego.dev',
            ...(options.toolVersion ? { semanticVersion: options.toolVersion } : {}),
            rules,
          },
        },
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

export function renderSarif(violations: readonly Violation[], options: SarifOptions = {}): string {
  return `${JSON.stringify(buildSarif(violations, options), null, 2)}\n`;
}

function fingerprint(v: Violation): string {
  return createHash('sha256')
    .update([v.check, v.rule, v.file, v.from ?? '', v.to ?? '', v.kind ?? ''].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}

/** A repository path as a relative URI reference: each segment percent-encoded (spaces, `:` that would read as a scheme). */
export function toUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}
